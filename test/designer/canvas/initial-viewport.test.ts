import { describe, expect, it } from 'vitest';
import { initialViewport } from '../../../designer/canvas/initial-viewport.ts';

const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: 't', typeVersion: 1, config: {}, position: { x: 100 + (i % 10) * 300, y: -50 + Math.floor(i / 10) * 120 } }));

describe('initialViewport', () => {
  it('leaves small flows to fit-to-screen', () => {
    expect(initialViewport({ nodes: nodes(40) })).toBeNull();
  });
  it('opens large flows at their top-left corner, readable', () => {
    expect(initialViewport({ nodes: nodes(300) })).toEqual({ x: 48 - 100 * 0.6, y: 48 + 50 * 0.6, zoom: 0.6 });
  });
});
