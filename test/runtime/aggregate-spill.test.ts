/**
 * A run in one process (the CLI's executeRun) on PGlite whose aggregate holds
 * more groups than its limit: the groups spill to the store's
 * aggregate_partials, are merged back key by key, each is delivered once with
 * the sums computed here, and the spill is gone after the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.ts';
import { createReferenceData } from '../../nodes/reference-data.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { executeRun } from '../bench/execute-run.ts';
import { openPgliteDatabase } from '../../runtime/store/open-store.ts';
import type { Database } from '../../runtime/store/database.ts';

const doc: FlowDocument = {
  id: 'agg-spill', name: 'Aggregate spill', recordKey: 'id', businessKey: 'id', amount: { value: 'amount', currency: "'EUR'" },
  nodes: [
    { id: 'in', type: 'source.webhook', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
    { id: 'sum', type: 'transform.aggregate', typeVersion: 1, position: { x: 200, y: 0 }, config: {
      groupBy: [{ field: 'cell', expression: 'cell' }], measures: [{ field: 'total', op: 'sum', expression: 'amount' }, { field: 'lines', op: 'count' }], maxGroupsInMemory: 100,
    } },
    { id: 'out', type: 'target.file', typeVersion: 1, position: { x: 400, y: 0 }, config: { path: 'cells.jsonl', format: 'jsonl', idempotencyKey: 'cell' } },
  ],
  edges: [{ id: 'a', source: 'in', target: 'sum' }, { id: 'b', source: 'sum', target: 'out' }],
};

// 1,500 lines into 450 cells: line i adds i cents to cell i mod 450.
const LINES = Array.from({ length: 1500 }, (_, k) => ({ id: `L${k + 1}`, cell: `C${String(k % 450).padStart(3, '0')}`, amount: ((k + 1) / 100).toFixed(2) }));

describe('aggregate spill in a run in one process', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openPgliteDatabase({});
    await database.store.saveVersion(doc.id, doc, 'tester', 'first');
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('spills beyond the limit and delivers every group once with exact sums', async () => {
    const written: string[] = [];
    const { run, result } = await executeRun({
      store: database.store, catalog, connections: { sql: () => { throw new Error('no sql'); }, http: () => { throw new Error('no http'); } },
      files: { append: async (_path, text) => { for (const part of typeof text === 'string' ? [text] : text) written.push(...part.split('\n').filter((l) => l.trim())); } },
    }, { doc, version: 1, trigger: 'manual', reference: createReferenceData({}), chunkSize: 100, input: { kind: 'records', records: LINES.map((data) => ({ data })) } });
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ read: 1500, aggregated: 1500, filtered: 0, delivered: 0 });
    expect(result.reconciliation.groups?.counts).toMatchObject({ read: 450, delivered: 450 });
    const cells = new Map(written.map((line) => JSON.parse(line) as { cell: string; total: string; lines: number }).map((c) => [c.cell, c]));
    expect(cells.size).toBe(450);
    for (let c = 0; c < 450; c++) {
      const members = LINES.filter((_, k) => k % 450 === c);
      const cents = members.reduce((sum, _, j) => sum + (c + 1 + 450 * j), 0);
      expect(cells.get(`C${String(c).padStart(3, '0')}`)).toEqual({ cell: `C${String(c).padStart(3, '0')}`, total: (cents / 100).toFixed(2), lines: members.length });
    }
    const { rows } = await database.store.sql.query<{ n: unknown }>('select count(*) as n from aggregate_partials where run_id = $1', [run.id]);
    expect(Number(rows[0].n)).toBe(0);
  }, 300_000);
});
