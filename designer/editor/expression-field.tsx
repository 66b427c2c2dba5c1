/**
 * An expression field of the inspector: the JSONata editor with autocomplete
 * and inline errors, a live preview on the selected sample record, an
 * expanded two-pane view, and "pin as test" for transform nodes.
 * Loaded on demand (CodeMirror is not in the initial bundle).
 */
import { useCallback, useState } from 'react';
import { catalog } from '../../nodes/catalog.ts';
import { nodeOutputFor } from '../samples/node-input.ts';
import { Dialog } from '../shell/dialog.tsx';
import { useDesigner, useDesignerStoreApi } from '../store/store-context.tsx';
import { CodeEditor } from './code-editor.tsx';
import { FieldTree } from './field-tree.tsx';
import { PreviewPane } from './preview-pane.tsx';
import { useExpressionPreview } from './use-expression-preview.ts';
import { useNodeInput } from './use-node-input.ts';

export interface ExpressionFieldProps {
  value: string;
  onChange: (v: string) => void;
  nodeId?: string;
  pointer: string;
  readOnly?: boolean;
}

export default function ExpressionField({ value, onChange, nodeId, pointer, readOnly }: ExpressionFieldProps) {
  const store = useDesignerStoreApi();
  const { input, fields } = useNodeInput(nodeId);
  const [inputIndex, setInputIndex] = useState(0);
  const [expanded, setExpanded] = useState(false);
  const result = useExpressionPreview(value, input, inputIndex);
  const isTransform = useDesigner((s) => !!nodeId && s.document?.nodes.find((n) => n.id === nodeId)?.type === 'transform.jsonata');
  const nodeName = useDesigner((s) => {
    const node = nodeId ? s.document?.nodes.find((n) => n.id === nodeId) : undefined;
    return node ? node.label || catalog.get(node.type)?.title || node.id : '';
  });
  // `/rules/0/expression` → `rules › 1 › expression`; a node's single `/expression` needs no path.
  const fieldPath = pointer === '/expression' ? '' : pointer.slice(1).split('/').map((s) => (/^\d+$/.test(s) ? String(Number(s) + 1) : s)).join(' › ');
  const getFields = useCallback(() => fields, [fields]);

  const pin = useCallback(async () => {
    const s = store.getState();
    if (!nodeId || !s.document || input.status !== 'ready') return;
    const out = await nodeOutputFor(s.document, nodeId, input.records[Math.min(inputIndex, input.records.length - 1)], catalog);
    if (!out.ok) {
      s.notify('error', `Could not pin: ${out.message}`);
      return;
    }
    const node = s.document.nodes.find((n) => n.id === nodeId)!;
    const base = `${node.label ?? node.id} — ${input.sample.name} #${input.recordIndex + 1}`;
    const taken = new Set((s.document.tests ?? []).map((t) => t.name));
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base} (${i})`;
    s.change((d) => ({ ...d, tests: [...(d.tests ?? []), { name, node: nodeId, input: input.sourceRecord, expected: out.output }] }));
    s.notify('success', `Pinned “${name}” as a mapping test.`);
  }, [store, nodeId, input, inputIndex]);

  const onPin = isTransform && !readOnly ? pin : undefined;
  const editor = (large: boolean) => (
    <CodeEditor value={value} onChange={onChange} fields={getFields} readOnly={readOnly} large={large} minLines={large ? 14 : 1} autoFocus={large} ariaLabel={`Expression ${pointer}`} placeholder="JSONata, e.g. invoice.number or $decSum(lines.amount)" />
  );

  return (
    <div className="expression-field">
      <div className="expression-editor-row">
        {editor(false)}
        <button type="button" className="icon-btn expand-btn" onClick={() => setExpanded(true)} title="Open the large editor with input and fields" aria-label="Expand editor">⤢</button>
      </div>
      <PreviewPane input={input} result={result} inputIndex={inputIndex} setInputIndex={setInputIndex} onPin={onPin} />
      {expanded && (
        <Dialog title={['JSONata', nodeName, fieldPath].filter(Boolean).join(' · ')} onClose={() => setExpanded(false)} width={1180}>
          <div className="expression-workbench">
            <div className="workbench-fields">
              <div className="preview-label">Input fields</div>
              <FieldTree fields={fields} emptyText="Load a sample to see the fields this node receives." />
            </div>
            <div className="workbench-editor">{editor(true)}</div>
            <div className="workbench-preview">
              <PreviewPane input={input} result={result} inputIndex={inputIndex} setInputIndex={setInputIndex} onPin={onPin} showInput />
            </div>
          </div>
        </Dialog>
      )}
    </div>
  );
}
