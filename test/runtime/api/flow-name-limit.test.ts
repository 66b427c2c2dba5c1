/**
 * A flow's name has one limit (FLOW_LIMITS.nameChars), the same in the flow
 * document's schema, on create, rename (draft save) and duplicate, and in the
 * designer's dialogs, which refuse a longer name before sending it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_LIMITS, flowNameProblem } from '../../../nodes/flow-limits.ts';
import documentSchema from '../../../nodes/flow-document.schema.json' with { type: 'json' };
import { createHarness, paymentsFlow, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => { h = await createHarness(); });
afterAll(() => h.close());

const named = (name: string, id = 'payments') => ({ ...paymentsFlow({ id }), name });

describe('flow name limit', () => {
  it('is the flow document schema\'s maxLength', () => {
    expect(documentSchema.properties.name.maxLength).toBe(FLOW_LIMITS.nameChars);
    expect(flowNameProblem('x'.repeat(FLOW_LIMITS.nameChars))).toBeNull();
    expect(flowNameProblem('x'.repeat(FLOW_LIMITS.nameChars + 1))).toBe(`name is ${FLOW_LIMITS.nameChars + 1} characters long; at most ${FLOW_LIMITS.nameChars} are allowed`);
    expect(flowNameProblem('  ')).toBe('name must be a non-empty text');
  });

  it('a name at the limit is stored; one character more is refused on create, rename and duplicate, naming the limit', async () => {
    const longest = 'N'.repeat(FLOW_LIMITS.nameChars);
    await h.json('analyst', 'POST', '/api/flows', { document: named(longest) }, 201);
    const tooLong = `${longest}!`;
    const created = await h.json('analyst', 'POST', '/api/flows', { document: named(tooLong, 'other') }, 422);
    expect(created.problems).toEqual([{ path: '/document/name', message: `name is ${FLOW_LIMITS.nameChars + 1} characters long; at most ${FLOW_LIMITS.nameChars} are allowed` }]);
    const renamed = await h.json('analyst', 'PUT', '/api/flows/payments/draft', { document: named(tooLong) }, 422);
    expect(renamed.problems[0].path).toBe('/document/name');
    expect((await h.json('analyst', 'GET', '/api/flows/payments')).name).toBe(longest);
    const duplicated = await h.json('analyst', 'POST', '/api/flows/payments/duplicate', { id: 'copy', name: tooLong }, 422);
    expect(duplicated.problems[0].path).toBe('/document/name');
  });
});
