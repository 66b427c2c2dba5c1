import { useDeferredValue } from 'react';

/**
 * False on a component's first render, true in a render React does after the urgent work, which it may
 * interrupt: a panel beside the canvas (the flow settings form, the palette's list, the minimap) is drawn
 * after the canvas shows its nodes, not in the same render, and the page answers input in between.
 */
export function useDeferredReveal(): boolean {
  return useDeferredValue(true, false);
}
