/**
 * The aggregate node in queued runs, on each backend, with two job loops: the
 * chunks' partial groups are stored with each chunk's commit and merged once
 * every chunk is done, so the groups are exactly those computed here
 * independently, also when a chunk is worked twice (its first attempt dies
 * before its commit).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import { replayDeadLetters } from '../../../runtime/app/dead-letters.ts';
import { finalizeIfComplete } from '../../../runtime/queue/run-lifecycle.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { TEST_TUNING, backendNames, count, jsonlInput, openBackend, waitForRun, type OpenedBackend } from './queue-fixtures.ts';

const node = (id: string, type: string, config: Record<string, unknown>, x: number): FlowNode => ({ id, type, typeVersion: 1, position: { x, y: 0 }, config });

const flow: FlowDocument = {
  id: 'agg-queue', name: 'Aggregate in the queue', recordKey: 'id', businessKey: 'id',
  amount: { value: 'amount', currency: 'currency' },
  connections: { db: { kind: 'postgres' } },
  nodes: [
    node('lines', 'source.webhook', {}, 0),
    node('sum', 'transform.aggregate', {
      groupBy: [{ field: 'account', expression: 'account' }, { field: 'currency', expression: 'currency' }],
      measures: [{ field: 'total', op: 'sum', expression: 'amount' }, { field: 'lines', op: 'count' }, { field: 'firstLine', op: 'first', expression: 'id' }],
    }, 200),
    node('cells', 'target.postgres', {
      connection: 'db', table: 'agg_cells', mode: 'upsert', keyColumns: ['account', 'currency'],
      columns: { account: 'account', currency: 'currency', total: 'total', lines: 'lines', first_line: 'firstLine' },
      batchSize: 100, idempotencyKey: "account & '/' & currency",
    }, 400),
  ],
  edges: [{ id: 'e1', source: 'lines', target: 'sum' }, { id: 'e2', source: 'sum', target: 'cells' }],
};

const LINES = Array.from({ length: 61 }, (_, k) => ({
  id: `L${k + 1}`, account: `4${k % 4}00`, currency: k % 3 ? 'EUR' : 'CHF', amount: `${(k * 37) % 1000}.${String((k * 13) % 100).padStart(2, '0')}`,
}));

/** The groups, computed here in integer cents. */
function expectedCells() {
  const cells = new Map<string, { cents: bigint; lines: number; first: string }>();
  for (const l of LINES) {
    const key = `${l.account}/${l.currency}`;
    const c = cells.get(key) ?? { cents: 0n, lines: 0, first: l.id };
    c.cents += BigInt(l.amount.replace('.', ''));
    c.lines++;
    cells.set(key, c);
  }
  return [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, c]) => {
    const [account, currency] = key.split('/');
    const text = c.cents.toString().padStart(3, '0');
    return { account, currency, total: `${text.slice(0, -2)}.${text.slice(-2)}`, lines: c.lines, first_line: c.first };
  });
}

for (const backend of backendNames()) {
  describe(`aggregate in queued runs on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      await targetDatabase(b.database, 'db').query('create table agg_cells (account text, currency text, total numeric(18,2), lines int, first_line text, primary key (account, currency))');
      await b.store.saveDraft(flow, 'tester');
      await b.store.saveVersion(flow.id, flow, 'tester', 'first');
    }, 300_000);

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    }, 300_000);

    it('gives the groups of the whole run, once, across chunks worked by two loops and a chunk worked twice', async () => {
      let crashed = false;
      queue = await startQueue({
        database: b.database, tuning: TEST_TUNING, concurrency: 2,
        hooks: {
          beforeChunkCommit: ({ chunkNo, attempt }) => {
            if (chunkNo === 3 && attempt === 1) {
              crashed = true;
              throw new Error('worker died before the chunk committed');
            }
          },
        },
      });
      const queued = await queue.launcher.enqueue({ flowId: flow.id, version: 1, environment: 'dev', trigger: 'manual', input: jsonlInput(LINES), requestedBy: 'tester' });
      const run = await waitForRun(b.store, queued.id, 300_000);
      expect(crashed).toBe(true);
      const expected = expectedCells();
      expect(run.status).toBe('succeeded');
      // The lines are read and aggregated; the groups are counted apart, each delivered.
      expect(run.counts).toMatchObject({ read: LINES.length, aggregated: LINES.length, filtered: 0, delivered: 0, quarantined: 0, deadLettered: 0 });
      expect(run.reconciliation?.groups?.counts).toMatchObject({ read: expected.length, delivered: expected.length, quarantined: 0, deadLettered: 0 });
      expect(run.reconciliation?.closes).toBe(true);
      const { rows } = await targetDatabase(b.database, 'db').query<Record<string, unknown>>(
        'select account, currency, total::text as total, lines, first_line from agg_cells order by account collate "C", currency collate "C"');
      expect(rows.map((r) => ({ ...r, lines: Number(r.lines) }))).toEqual(expected);
      // Each group's trace names the lines it summed; the partials are gone once the run ended.
      const traces = (await b.store.listTraces(run.id, { outcome: 'delivered' }, { limit: 100 })).items;
      expect(traces).toHaveLength(expected.length);
      expect(await count(b.store, 'select count(*) as n from aggregate_partials where run_id = $1', [run.id])).toBe(0);
    }, 600_000);

    it('is not finished by a worker that looks after the last line chunk committed but before the groups are queued', async () => {
      // 61 lines in chunks of 4: chunks 1–16 carry lines, the groups come after. Right after each line chunk's
      // commit, before its own worker goes on to queue the groups, another worker tries to finish the run
      // (in production: one whose chunk committed a moment earlier and looked for pending chunks just now).
      const lineChunks = Math.ceil(LINES.length / (TEST_TUNING.chunkSize ?? 4));
      const finishedEarly: number[] = [];
      const storedWithCommit = new Map<number, number>();
      queue = await startQueue({
        database: b.database, tuning: TEST_TUNING, concurrency: 2,
        hooks: {
          afterChunkCommit: async ({ runId, chunkNo }) => {
            if (chunkNo > lineChunks) return;
            // The chunk's partial groups left the worker's memory with its commit: they are in the store under its number.
            storedWithCommit.set(chunkNo, await count(b.store, 'select count(*) as n from aggregate_partials where run_id = $1 and part = $2', [runId, chunkNo]));
            if (await finalizeIfComplete(b.database.db, runId, undefined, ['sum'])) finishedEarly.push(chunkNo);
          },
        },
      });
      const queued = await queue.launcher.enqueue({ flowId: flow.id, version: 1, environment: 'dev', trigger: 'manual', input: jsonlInput(LINES), requestedBy: 'tester' });
      const run = await waitForRun(b.store, queued.id, 300_000);
      expect(finishedEarly).toEqual([]);
      // Every line chunk (4 lines) stored its partial groups (1 to 4 of them) in the store as it committed: a worker holds at most a chunk's groups.
      expect([...storedWithCommit.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: lineChunks }, (_, i) => i + 1));
      for (const n of storedWithCommit.values()) expect(n).toBeGreaterThanOrEqual(1);
      const expected = expectedCells();
      expect(run.counts).toMatchObject({ read: LINES.length, aggregated: LINES.length });
      expect(run.reconciliation?.groups?.counts).toMatchObject({ read: expected.length, delivered: expected.length });
      const { rows } = await targetDatabase(b.database, 'db').query<{ n: unknown }>('select count(*) as n from agg_cells');
      expect(Number(rows[0].n)).toBe(expected.length);
    }, 600_000);

    it('replays a dead-lettered group record itself, from the aggregate on, without reading the lines again', async () => {
      // The cell table refuses one cell until the fix: that group record is dead-lettered, the others are delivered.
      await targetDatabase(b.database, 'db').query("alter table agg_cells add constraint no_4100_chf check (not (account = '4100' and currency = 'CHF'))");
      queue = await startQueue({ database: b.database, tuning: TEST_TUNING, concurrency: 2 });
      const deps = { database: b.database, launcher: queue.launcher };
      const queued = await queue.launcher.enqueue({ flowId: flow.id, version: 1, environment: 'dev', trigger: 'manual', input: jsonlInput(LINES), requestedBy: 'tester' });
      const run = await waitForRun(b.store, queued.id, 300_000);
      const expected = expectedCells();
      expect(run.status).toBe('completed_with_exceptions');
      expect(run.counts).toMatchObject({ read: LINES.length, aggregated: LINES.length, deadLettered: 0, quarantined: 0 });
      const groupFailures = run.reconciliation!.groups!.counts.deadLettered + run.reconciliation!.groups!.counts.quarantined;
      expect(groupFailures).toBe(1);
      const [letter] = (await b.store.listDeadLetters({ runId: run.id, status: 'open' }, { limit: 10 })).items;
      expect(letter).toMatchObject({ entryNode: 'sum', businessKey: '4100 / CHF', nodeId: 'cells' });
      const summed = LINES.filter((l) => l.account === '4100' && l.currency === 'CHF').map((l) => String(LINES.indexOf(l) + 1));
      expect(letter.sourceRecord).toMatchObject({ group: { account: '4100', currency: 'CHF' }, sourceLineageKeys: summed });

      await targetDatabase(b.database, 'db').query('alter table agg_cells drop constraint no_4100_chf');
      const replayQueued = await replayDeadLetters(deps, { ids: [letter.id], against: { version: 1 }, defaultEnvironment: 'dev', actor: 'tester' });
      const replay = await waitForRun(b.store, replayQueued.run.id, 300_000);
      expect(replay.status).toBe('succeeded');
      // No line is read again: the run carries the one group record, delivered.
      expect(replay.counts).toMatchObject({ read: 0, delivered: 0 });
      expect(replay.counts.aggregated ?? 0).toBe(0); // shown only when lines were folded
      expect(replay.reconciliation?.groups?.counts).toMatchObject({ read: 1, delivered: 1 });
      const [trace] = (await b.store.listTraces(replay.id, {}, { limit: 10 })).items;
      expect(trace).toMatchObject({ outcome: 'delivered', path: ['sum', 'cells'], input: { sourceLineageKeys: summed } });
      const { rows } = await targetDatabase(b.database, 'db').query<Record<string, unknown>>(
        'select account, currency, total::text as total, lines, first_line from agg_cells order by account collate "C", currency collate "C"');
      expect(rows.map((r) => ({ ...r, lines: Number(r.lines) }))).toEqual(expected);
      expect((await b.store.getDeadLetters([letter.id]))[0].status).toBe('replayed');
    }, 600_000);
  });
}
