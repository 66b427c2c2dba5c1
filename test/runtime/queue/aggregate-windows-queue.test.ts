/**
 * Size windows of the aggregate node in queued runs, on each backend, with two
 * job loops: each key's lines are cut every N in read order, whichever worker
 * read them, and the last smaller window closes at run end; the windows are
 * computed here independently.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { TEST_TUNING, backendNames, jsonlInput, openBackend, waitForRun, type OpenedBackend } from './queue-fixtures.ts';

const node = (id: string, type: string, config: Record<string, unknown>, x: number): FlowNode => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });

const LINES = Array.from({ length: 61 }, (_, k) => ({
  id: `L${k + 1}`, account: `4${k % 4}00`, currency: k % 3 ? 'EUR' : 'CHF', amount: `${(k * 37) % 1000}.${String((k * 13) % 100).padStart(2, '0')}`,
}));

/** A line whose group key gives nothing. */
const KEYLESS = { id: 'LX', currency: 'EUR', amount: '5.00' };

const flow: FlowDocument = {
  id: 'agg-sized', name: 'Aggregate size windows in the queue', recordKey: 'id', businessKey: 'id',
  amount: { value: 'amount', currency: 'currency' },
  connections: { db: { kind: 'postgres' } },
  nodes: [
    node('lines', 'source.webhook', {}, 0),
    node('sum', 'transform.aggregate', {
      groupBy: [{ field: 'account', expression: 'account' }],
      measures: [{ field: 'total', op: 'sum', expression: 'amount' }, { field: 'lines', op: 'count' }, { field: 'firstLine', op: 'first', expression: 'id' }],
      sizeWindow: 3,
    }, 200),
    node('cells', 'target.postgres', {
      connection: 'db', table: 'agg_windows', mode: 'upsert', keyColumns: ['account', 'window_no'],
      columns: { account: 'account', window_no: 'windowNo', total: 'total', lines: 'lines', first_line: 'firstLine' },
      batchSize: 100, idempotencyKey: "account & '/' & windowNo",
    }, 400),
  ],
  edges: [{ id: 'e1', source: 'lines', target: 'sum' }, { id: 'e2', source: 'sum', target: 'cells' }],
};

for (const backend of backendNames()) {
  describe(`aggregate size windows in queued runs on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      await targetDatabase(b.database, 'db').query('create table agg_windows (account text, window_no int, total numeric(18,2), lines int, first_line text, primary key (account, window_no))');
      await b.store.saveDraft(flow, 'tester');
      await b.store.saveVersion(flow.id, flow, 'tester', 'first');
    }, 300_000);

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    }, 300_000);

    it('closes size windows every 3 lines of a key in read order, the last at run end, as one worker would; a line without key is quarantined', async () => {
      queue = await startQueue({ database: b.database, tuning: TEST_TUNING, concurrency: 2 });
      const queued = await queue.launcher.enqueue({ flowId: flow.id, version: 1, environment: 'dev', trigger: 'manual', input: jsonlInput([...LINES.slice(0, 30), KEYLESS, ...LINES.slice(30)]), requestedBy: 'tester' });
      const run = await waitForRun(b.store, queued.id, 300_000);
      // Independently: per account, its lines in file order, cut every 3 (sums in integer cents).
      const byAccount = new Map<string, (typeof LINES)[number][]>();
      for (const l of LINES) byAccount.set(l.account, [...(byAccount.get(l.account) ?? []), l]);
      const expected = [...byAccount.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([account, ls]) => {
        const windows = [];
        for (let i = 0; i < ls.length; i += 3) {
          const w = ls.slice(i, i + 3);
          const cents = w.reduce((n, l) => n + BigInt(l.amount.replace('.', '')), 0n).toString().padStart(3, '0');
          windows.push({ account, window_no: i / 3 + 1, total: `${cents.slice(0, -2)}.${cents.slice(-2)}`, lines: w.length, first_line: w[0].id });
        }
        return windows;
      });
      // The line without an account is quarantined naming node and expression; it takes no place in any window.
      expect(run.status).toBe('completed_with_exceptions');
      expect(run.counts).toMatchObject({ read: LINES.length + 1, aggregated: LINES.length, quarantined: 1, deadLettered: 0 });
      const [letter] = (await b.store.listDeadLetters({ runId: run.id }, { limit: 10 })).items;
      expect(letter).toMatchObject({ nodeId: 'sum', disposition: 'quarantined', entryNode: null, error: { nodeId: 'sum', field: '/groupBy/0/expression' } });
      expect(letter.error.message).toBe('Node "sum": the group key "account" (`account`) gave nothing for this record');
      expect(run.reconciliation?.groups?.counts).toMatchObject({ read: expected.length, delivered: expected.length });
      const { rows } = await targetDatabase(b.database, 'db').query<Record<string, unknown>>(
        'select account, window_no, total::text as total, lines, first_line from agg_windows order by account collate "C", window_no');
      expect(rows.map((r) => ({ ...r, window_no: Number(r.window_no), lines: Number(r.lines) }))).toEqual(expected);
    }, 600_000);
  });
}
