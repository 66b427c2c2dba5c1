/**
 * Samples follow their source's settings: when the format, record element,
 * separator … of the source node that read a loaded sample change, the sample
 * is read again with the new settings (uploads from the bytes kept for test
 * runs, stored samples by the server), so previews never show records parsed
 * with settings the flow no longer has.
 */
import { useEffect } from 'react';
import { useEditor } from '../editor-context.tsx';
import { useDesignerStoreApi } from '../store/store-context.tsx';
import type { DesignerStore } from '../store/designer-store.ts';
import { rereadSample } from './load-sample.ts';

const SETTLE_MS = 400;

function sourceConfigs(store: DesignerStore): Map<string, string> {
  const nodes = store.getState().document?.nodes ?? [];
  const ids = new Set(store.getState().samples.map((s) => s.sourceNodeId).filter(Boolean));
  return new Map(nodes.filter((n) => ids.has(n.id)).map((n) => [n.id, JSON.stringify(n.config)]));
}

export function useSampleRereading(): void {
  const store = useDesignerStoreApi();
  const { api, flowId } = useEditor();
  useEffect(() => {
    let known = sourceConfigs(store);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = new Set<string>();
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.document === previous.document && state.samples === previous.samples) return;
      const now = sourceConfigs(store);
      for (const [id, config] of now) if (known.has(id) && known.get(id) !== config) changed.add(id);
      known = now;
      if (changed.size === 0) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const ids = new Set(changed);
        changed.clear();
        for (const sample of store.getState().samples) {
          if (sample.sourceNodeId && ids.has(sample.sourceNodeId)) void rereadSample(store, api, flowId, sample);
        }
      }, SETTLE_MS);
    });
    return () => { clearTimeout(timer); unsubscribe(); };
  }, [store, api, flowId]);
}
