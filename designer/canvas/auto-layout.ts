/**
 * Automatic arrangement with elkjs (layered, left to right, ports in order).
 * elkjs is large, so it is loaded on first use.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { DEFAULT_IN_PORT, DEFAULT_OUT_PORT } from '../../nodes/flow-document.ts';

export interface NodeSize {
  width: number;
  height: number;
}

const DEFAULT_SIZE: NodeSize = { width: 240, height: 96 };

/** New positions for every node; sizes are the measured ones where known. */
export async function layoutFlow(doc: FlowDocument, sizes: (id: string) => NodeSize | undefined): Promise<{ id: string; position: { x: number; y: number } }[]> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.semiInteractive': 'true',
    },
    children: doc.nodes.map((n) => ({ id: n.id, ...(sizes(n.id) ?? DEFAULT_SIZE) })),
    edges: doc.edges.map((e) => ({
      id: e.id,
      sources: [e.source],
      targets: [e.target],
      // Port names help ELK keep "valid" above "invalid" and similar.
      labels: [{ text: `${e.sourceHandle ?? DEFAULT_OUT_PORT}>${e.targetHandle ?? DEFAULT_IN_PORT}`, width: 0, height: 0 }],
    })),
  };
  const out = await elk.layout(graph);
  return (out.children ?? []).map((c) => ({ id: c.id, position: { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) } }));
}
