/**
 * Where a card's ports will be before React Flow has measured it. With
 * `onlyRenderVisibleElements`, React Flow still renders every node that has
 * no handle positions yet (to measure them); given these, it renders only the
 * nodes on screen and draws edges to off-screen ones. A rendered card is
 * measured and its real positions replace these.
 *
 * The numbers follow the card's CSS in styles.css (`.flow-node`, `.port`,
 * `.handle`): a 244 px card, ports 20 px apart below the title and summary.
 */
import { Position } from '@xyflow/react';
import type { FlowNode } from '../../nodes/flow-document.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import { portsOf } from './connection-rules.ts';

const WIDTH = 244;
const FIRST_HANDLE_TOP = 80;
const PORT_STEP = 20;
const HANDLE_SIZE = 10;
/** Title and summary; then the ports' border and padding. */
const HEAD_HEIGHT = 72;
const PORTS_PADDING = 7;

export interface EstimatedHandle {
  id: string;
  type: 'source' | 'target';
  position: Position;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface NodeBoxEstimate {
  width: number;
  height: number;
  handles: EstimatedHandle[];
}

/** The card's size and handle positions, relative to its top left corner. */
export function estimateNodeBox(node: FlowNode, catalog: NodeCatalog): NodeBoxEstimate {
  const { inputs, outputs } = portsOf(node, catalog);
  const handle = (id: string, type: EstimatedHandle['type'], i: number): EstimatedHandle => ({
    id, type,
    position: type === 'target' ? Position.Left : Position.Right,
    x: type === 'target' ? -HANDLE_SIZE + 1 : WIDTH - 1,
    y: FIRST_HANDLE_TOP + i * PORT_STEP,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  });
  const rows = Math.max(inputs.length, outputs.length);
  return {
    width: WIDTH,
    height: rows > 0 ? HEAD_HEIGHT + PORTS_PADDING + rows * PORT_STEP : HEAD_HEIGHT,
    handles: [...inputs.map((p, i) => handle(p.id, 'target', i)), ...outputs.map((p, i) => handle(p.id, 'source', i))],
  };
}
