/**
 * Where a flow opens. Small flows are fitted to the screen; a large one
 * opens readable at its sources (top left), not as an unreadable overview —
 * which also means React Flow renders only the nodes on screen.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';

export const FIT_ALL_UP_TO_NODES = 40;
export const LARGE_FLOW_ZOOM = 0.6;
const MARGIN = 48;

export function initialViewport(doc: Pick<FlowDocument, 'nodes'>): { x: number; y: number; zoom: number } | null {
  if (doc.nodes.length <= FIT_ALL_UP_TO_NODES) return null;
  let minX = Infinity;
  let minY = Infinity;
  for (const n of doc.nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
  }
  return { x: MARGIN - minX * LARGE_FLOW_ZOOM, y: MARGIN - minY * LARGE_FLOW_ZOOM, zoom: LARGE_FLOW_ZOOM };
}
