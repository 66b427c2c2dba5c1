/** The designer bench's generated flow (shared by `designer-bench.ts` and `designer-open-profile.ts`). */
import { catalog } from '../../nodes/catalog.ts';
import type { FlowDocument, FlowNode } from '../../nodes/flow-document.ts';

/** 300 nodes in 30 layers of 10 (sources first, targets last) and 400 edges between neighbouring layers. */
export function generatedFlow(id: string, nodeCount = 300, edgeCount = 400): FlowDocument {
  const perLayer = 10;
  const layers = nodeCount / perLayer;
  const nodes: FlowNode[] = [];
  const typeOf = (layer: number) => (layer === 0 ? 'source.file' : layer === layers - 1 ? 'target.file' : layer % 3 === 2 ? 'validate.record' : 'transform.jsonata');
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < perLayer; i++) {
      const type = typeOf(layer);
      const decl = catalog.get(type)!;
      const config = structuredClone(decl.defaults) as Record<string, unknown>;
      if (type === 'transform.jsonata') config.expression = `{ "id": id, "amount": $number(amount) * ${layer}, "step": ${layer} }`;
      if (type === 'validate.record') config.rules = [{ id: 'positive', expression: 'amount >= 0', message: 'Amount {{amount}} is negative', severity: 'error' }];
      if (type === 'target.file') config.path = `out-${i}.jsonl`;
      nodes.push({ id: `n${layer}-${i}`, type, typeVersion: decl.version, label: `${decl.title} ${layer}.${i}`, position: { x: layer * 320, y: i * 150 }, config });
    }
  }
  const edges: FlowDocument['edges'] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string, port: string) => {
    const key = `${from}>${to}`;
    if (seen.has(key) || edges.length >= edgeCount) return;
    seen.add(key);
    edges.push({ id: `e${edges.length}`, source: from, sourceHandle: port, target: to, targetHandle: 'in' });
  };
  const portOf = (layer: number) => (typeOf(layer) === 'validate.record' ? 'valid' : 'out');
  // Every node fed by its neighbour in the previous layer, then cross links until 400.
  for (let layer = 1; layer < layers; layer++) for (let i = 0; i < perLayer; i++) add(`n${layer - 1}-${i}`, `n${layer}-${i}`, portOf(layer - 1));
  for (let k = 0; edges.length < edgeCount; k++) {
    const layer = 1 + (k % (layers - 1));
    const i = Math.floor(k / (layers - 1)) % perLayer;
    add(`n${layer - 1}-${i}`, `n${layer}-${(i + 3) % perLayer}`, portOf(layer - 1));
  }
  return { id, name: 'Generated flow, 300 nodes', nodes, edges };
}
