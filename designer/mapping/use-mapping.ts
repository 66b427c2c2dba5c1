/**
 * The mapper's view of a transform's expression. Edits in the mapper are
 * written back as generated JSONata at once; edits made elsewhere (the
 * expression editor) are read back when they parse as a mapping. A field
 * half-typed in the mapper does not make the mapper lose its place.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { generateExpression, parseMapping, type Mapping } from './expression-mapping.ts';

export function useMapping(nodeId: string) {
  const store = useDesignerStoreApi();
  const expression = useDesigner((s) => String(s.document?.nodes.find((n) => n.id === nodeId)?.config.expression ?? ''));
  const initial = parseMapping(expression);
  const [mapping, setMapping] = useState<Mapping | null>(initial.ok ? initial.mapping : null);
  const [reason, setReason] = useState<string | null>(initial.ok ? null : initial.reason);
  const written = useRef(expression);

  useEffect(() => {
    if (expression === written.current) return;
    written.current = expression;
    const parsed = parseMapping(expression);
    if (parsed.ok) {
      setMapping(parsed.mapping);
      setReason(null);
    } else {
      setReason(parsed.reason);
    }
  }, [expression]);

  const update = useCallback((next: Mapping) => {
    setMapping(next);
    setReason(null);
    const text = generateExpression(next);
    written.current = text;
    const node = store.getState().document?.nodes.find((n) => n.id === nodeId);
    if (node) store.getState().updateNodeConfig(nodeId, { ...node.config, expression: text });
  }, [store, nodeId]);

  /** Drops the current expression and starts an empty mapping. */
  const startOver = useCallback(() => update({ preamble: null, fields: [] }), [update]);

  return { expression, mapping, reason, update, startOver };
}
