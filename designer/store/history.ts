/**
 * Undo/redo over whole flow documents. Documents are immutable and share
 * unchanged nodes, so a snapshot costs an array, not a copy of the flow.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';

export interface History {
  past: FlowDocument[];
  future: FlowDocument[];
}

export const EMPTY_HISTORY: History = { past: [], future: [] };

/** Steps kept; older ones are dropped. */
export const HISTORY_LIMIT = 200;

/** Records `previous` as the state before a change; a new change clears redo. */
export function recordChange(history: History, previous: FlowDocument, limit = HISTORY_LIMIT): History {
  const past = [...history.past, previous];
  if (past.length > limit) past.splice(0, past.length - limit);
  return { past, future: [] };
}

export function undo(history: History, current: FlowDocument): { history: History; document: FlowDocument } | null {
  if (history.past.length === 0) return null;
  const document = history.past[history.past.length - 1];
  return { document, history: { past: history.past.slice(0, -1), future: [current, ...history.future] } };
}

export function redo(history: History, current: FlowDocument): { history: History; document: FlowDocument } | null {
  if (history.future.length === 0) return null;
  const [document, ...future] = history.future;
  return { document, history: { past: [...history.past, current], future } };
}
