import { describe, expect, it } from 'vitest';
import { Position } from '@xyflow/react';
import { catalog } from '../../../nodes/catalog.ts';
import type { FlowNode } from '../../../nodes/flow-document.ts';
import { estimateNodeBox } from '../../../designer/canvas/node-box-estimate.ts';

const node = (type: string, config: Record<string, unknown> = {}): FlowNode => ({ id: 'n', type, typeVersion: 1, position: { x: 0, y: 0 }, config });

describe('estimateNodeBox', () => {
  it('puts inputs on the left edge and outputs on the right, one port row apart', () => {
    const box = estimateNodeBox(node('transform.jsonata', { expression: '$' }), catalog);
    const [input] = box.handles.filter((h) => h.type === 'target');
    const [output] = box.handles.filter((h) => h.type === 'source');
    expect(input).toMatchObject({ id: 'in', position: Position.Left });
    expect(output).toMatchObject({ id: 'out', position: Position.Right });
    expect(input.x).toBeLessThan(0);
    expect(output.x).toBeGreaterThanOrEqual(box.width - output.width);
    expect(input.y).toBe(output.y);
  });

  it('draws the out port of a target (record + answer) on its right edge', () => {
    for (const type of ['target.postgres', 'target.http', 'target.file', 'target.sftp', 'target.amqp', 'target.nats']) {
      const box = estimateNodeBox(node(type), catalog);
      expect(box.handles.filter((h) => h.type === 'source').map((h) => [h.id, h.position])).toEqual([['out', Position.Right]]);
    }
  });

  it('follows ports that depend on the config, and grows with them', () => {
    const two = estimateNodeBox(node('route.condition', { routes: [{ port: 'eu', condition: 'true' }], defaultPort: 'other' }), catalog);
    const four = estimateNodeBox(node('route.condition', {
      routes: [{ port: 'eu', condition: 'true' }, { port: 'us', condition: 'true' }, { port: 'apac', condition: 'true' }], defaultPort: 'other',
    }), catalog);
    const outputs = (b: typeof two) => b.handles.filter((h) => h.type === 'source');
    expect(outputs(four).map((h) => h.id)).toEqual(['eu', 'us', 'apac', 'other']);
    expect(outputs(two).map((h) => h.id)).toEqual(['eu', 'other']);
    expect(four.height).toBeGreaterThan(two.height);
    const ys = outputs(four).map((h) => h.y);
    expect(new Set(ys).size).toBe(ys.length);
  });

  it('gives a source no input handles, and a target one input and its out port', () => {
    expect(estimateNodeBox(node('source.webhook'), catalog).handles.every((h) => h.type === 'source')).toBe(true);
    expect(estimateNodeBox(node('target.file', { path: 'x.jsonl', format: 'jsonl' }), catalog).handles.map((h) => [h.type, h.id])).toEqual([['target', 'in'], ['source', 'out']]);
  });
});
