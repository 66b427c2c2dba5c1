import { describe, expect, it } from 'vitest';
import { configPointer, flowFieldProblems, problemsByField, shortMessage } from '../../../designer/panels/problem-paths.ts';
import type { FlowProblem } from '../../../nodes/validate-flow.ts';

const p = (over: Partial<FlowProblem>): FlowProblem => ({ code: 'invalid-config', message: '', path: '', ...over });

describe('problem paths', () => {
  it('finds the config field a node problem is about', () => {
    expect(configPointer(p({ path: '/nodes/3/config/rules/0/expression' }))).toBe('/rules/0/expression');
    expect(configPointer(p({ path: '/nodes/3/config' }))).toBe('');
    expect(configPointer(p({ path: '/nodes/3' }))).toBeNull();
  });

  it('drops the node prefix, also when the title has parentheses', () => {
    expect(shortMessage(p({ message: "Node 'm-1' (Map (JSONata)): input 'In' is not connected" }))).toBe("Input 'In' is not connected");
    expect(shortMessage(p({ message: "Node 'post' (Postgres table): table is required" }))).toBe('Table is required');
    expect(shortMessage(p({ message: "Target 'post' has no idempotency key: …" }))).toBe('Has no idempotency key: …');
  });

  it('groups messages by field and keeps whole-node problems apart', () => {
    const { fields, general } = problemsByField([
      p({ path: '/nodes/1/config/expression', nodeId: 'm', message: "Node 'm' (Map (JSONata)): bad" }),
      p({ path: '/nodes/1', nodeId: 'm', code: 'unconnected-port', message: "Node 'm' (Map (JSONata)): input 'In' is not connected" }),
    ]);
    expect(fields.get('/expression')).toEqual(['Bad']);
    expect(general.map((g) => g.code)).toEqual(['unconnected-port']);
  });

  it('keeps flow-level expression problems by their path', () => {
    const map = flowFieldProblems([p({ code: 'expression-syntax', path: '/businessKey', message: 'businessKey: Expected ")"' }), p({ path: '/nodes/0', nodeId: 'x' })]);
    expect([...map.entries()]).toEqual([['/businessKey', ['Expected ")"']]]);
  });
});
