/**
 * A record going to two targets, written at one and refused at the other
 * (a not-null column), is partially delivered: the run's reconciliation says
 * so and does not close, its lineage shows one outcome per target, and a
 * replay after the fix writes only the missing target — started as the CLI
 * starts runs (the use cases of runtime/app) and as the triggers queue them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutcomeCounts, Reconciliation } from '../../../runtime/engine/run-types.ts';
import type { FlowDocument, FlowNode } from '../../../nodes/flow-document.ts';
import { startQueue } from '../../../runtime/queue/start-queue.ts';
import { startVersionRun } from '../../../runtime/app/runs.ts';
import { replayDeadLetters } from '../../../runtime/app/dead-letters.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { TEST_TUNING, backendNames, countTarget, jsonlInput, openBackend, waitForRun, type OpenedBackend } from './queue-fixtures.ts';

const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, config });

// Posting: every record to the general ledger and to the sub-ledger, whose memo column is not null.
const doc: FlowDocument = {
  id: 'partial', name: 'Partial', recordKey: 'id', businessKey: 'id', amount: { value: 'amount', currency: 'currency' },
  connections: { db: { kind: 'postgres' } },
  nodes: [
    node('events', 'source.webhook', {}),
    node('gl', 'target.postgres', { connection: 'db', table: 'pd_gl', mode: 'insert', keyColumns: ['id'], columns: { id: 'id', amount: 'amount' }, idempotencyKey: 'id' }),
    node('sub', 'target.postgres', { connection: 'db', table: 'pd_sub', mode: 'insert', keyColumns: ['id'], columns: { id: 'id', memo: 'memo' }, idempotencyKey: 'id' }),
  ],
  edges: [{ id: 'e1', source: 'events', target: 'gl' }, { id: 'e2', source: 'events', target: 'sub' }],
};

// The same, with both targets in one transaction per chunk (same connection).
const sharedDoc: FlowDocument = { ...doc, id: 'partial-tx', sharedTransaction: true };

const recordsOf = (prefix: string) => [
  { id: `${prefix}1`, amount: '10.00', currency: 'EUR', memo: 'ok' },
  { id: `${prefix}2`, amount: '20.00', currency: 'EUR' },
  { id: `${prefix}3`, amount: '30.00', currency: 'EUR', memo: 'ok' },
];

for (const backend of backendNames()) {
  describe(`partial delivery on ${backend}`, () => {
    let b: OpenedBackend;
    beforeAll(async () => {
      b = await openBackend(backend);
      await targetDatabase(b.database, 'db').query('create table pd_gl (id text primary key, amount numeric not null)');
      await targetDatabase(b.database, 'db').query('create table pd_sub (id text primary key, memo text not null)');
      await b.store.saveDraft(doc, 'tester');
      await b.store.saveVersion(doc.id, doc, 'tester', 'first');
      await b.store.saveDraft(sharedDoc, 'tester');
      await b.store.saveVersion(sharedDoc.id, sharedDoc, 'tester', 'first');
    }, 180_000);
    afterAll(() => b?.cleanup());

    const fixSubLedger = () => targetDatabase(b.database, 'db').query('alter table pd_sub alter column memo drop not null');
    const breakSubLedger = async () => {
      await targetDatabase(b.database, 'db').query(`update pd_sub set memo = '' where memo is null`);
      await targetDatabase(b.database, 'db').query('alter table pd_sub alter column memo set not null');
    };

    const expectPartial = async (runId: string, counts: OutcomeCounts, reconciliation: Reconciliation | null) => {
      expect(counts).toMatchObject({ read: 3, delivered: 2, deadLettered: 1 });
      expect(reconciliation?.partiallyDelivered).toBe(1);
      expect(reconciliation?.closes).toBe(false);
      expect(reconciliation?.differences).toContain('1 source record(s) partially delivered: written to some targets and failed at others; replay them to complete only the missing targets');
      // Lineage: the source record's two records, one outcome per target.
      const lineage = await b.store.sourceRecordOutcomes(runId, '2.1');
      expect(lineage).toEqual({
        lineageKey: '2', partiallyDelivered: true,
        // Each end with the record's amount as it reached that target (the lineage page shows it per end).
        ends: [
          { lineageKey: '2.0', nodeId: 'gl', outcome: 'delivered', itemKey: '0', amount: '20.00', currency: 'EUR' },
          { lineageKey: '2.1', nodeId: 'sub', outcome: 'dead_lettered', itemKey: '1', amount: '20.00', currency: 'EUR' },
        ],
      });
    };

    it('CLI path (its use cases): partially delivered, not closing; a replay after the fix writes only the missing target', async () => {
      await breakSubLedger();
      const queue = await startQueue({ database: b.database, tuning: TEST_TUNING, onRunFinished: () => {} });
      const deps = { database: b.database, launcher: queue.launcher };
      try {
        const bytes = new TextEncoder().encode(`${recordsOf('c').map((r) => JSON.stringify(r)).join('\n')}\n`);
        const queued = await startVersionRun(deps, { flowId: doc.id, version: 1, environment: 'dev', actor: 'cli', input: { name: 'in.jsonl', bytes } });
        const run = await waitForRun(b.store, queued.id, 60_000);
        await expectPartial(run.id, run.counts, run.reconciliation);

        await fixSubLedger();
        const replayQueued = await replayDeadLetters(deps, { runId: run.id, against: { version: 1 }, defaultEnvironment: 'dev', actor: 'cli' });
        const replay = await waitForRun(b.store, replayQueued.run.id, 60_000);
        expect(replay.counts).toMatchObject({ read: 1, delivered: 1, duplicate: 0, deadLettered: 0 });
        expect(replay.reconciliation).toMatchObject({ closes: true });
        expect(replay.reconciliation?.partiallyDelivered).toBeUndefined();
        const ends = await b.store.sourceRecordOutcomes(replay.id, '1');
        // Only the failed copy (the item going to `sub`) is replayed: the target that has the record is not even asked again.
        expect(ends.ends.map((e) => [e.nodeId, e.outcome])).toEqual([['sub', 'delivered']]);
        expect(await countTarget(b.database, `select count(*) as n from pd_gl where id like 'c%'`)).toBe(3);
        expect(await countTarget(b.database, `select count(*) as n from pd_sub where id like 'c%'`)).toBe(3);
      } finally {
        await queue.stop();
      }
    }, 120_000);

    it('queue path: the same figures, and the replay through the queue completes only the missing target', async () => {
      await breakSubLedger();
      const queue = await startQueue({ database: b.database, tuning: TEST_TUNING, onRunFinished: () => {} });
      try {
        const queued = await queue.launcher.enqueue({ flowId: doc.id, version: 1, environment: 'dev', trigger: 'manual', input: jsonlInput(recordsOf('q')), requestedBy: 'tester' });
        const run = await waitForRun(b.store, queued.id, 60_000);
        await expectPartial(run.id, run.counts, run.reconciliation);

        await fixSubLedger();
        const letters = (await b.store.listDeadLetters({ runId: run.id, status: 'open' }, { limit: 10 })).items;
        expect(letters.map((l) => l.nodeId)).toEqual(['sub']);
        const replayQueued = await queue.launcher.enqueue({
          flowId: doc.id, version: 1, environment: 'dev', trigger: 'replay', replayOf: run.id, requestedBy: 'tester',
          input: { kind: 'records', records: letters.map((l) => ({ data: l.sourceRecord, sourceKey: l.sourceKey })) }, replayDeadLetterIds: letters.map((l) => l.id),
        });
        const replay = await waitForRun(b.store, replayQueued.id, 60_000);
        expect(replay.counts).toMatchObject({ read: 1, delivered: 1, duplicate: 0, deadLettered: 0 });
        expect(replay.reconciliation?.closes).toBe(true);
      } finally {
        await queue.stop();
      }
      expect(await countTarget(b.database, `select count(*) as n from pd_gl where id like 'q%'`)).toBe(3);
      expect(await countTarget(b.database, `select count(*) as n from pd_sub where id like 'q%'`)).toBe(3);
    }, 120_000);
  
    const expectAllOrNothing = async (run: { id: string; counts: OutcomeCounts; reconciliation: Reconciliation | null }, prefix: string) => {
      expect(run.counts).toMatchObject({ read: 3, delivered: 2, deadLettered: 1 });
      expect(run.reconciliation?.partiallyDelivered).toBeUndefined();
      expect(run.reconciliation?.closes).toBe(true);
      const ends = await b.store.sourceRecordOutcomes(run.id, '2');
      expect(ends.partiallyDelivered).toBe(false);
      expect(ends.ends.map((e) => [e.nodeId, e.outcome])).toEqual([['gl', 'dead_lettered'], ['sub', 'dead_lettered']]);
      const gl = await b.store.getTrace(run.id, '2.0');
      expect(gl?.error?.message).toMatch(/^not written: the same source record was refused by target 'sub' \(record 2\.1\), which shares this transaction: pd_sub refused the record/);
      expect(await countTarget(b.database, `select count(*) as n from pd_gl where id like '${prefix}%'`)).toBe(2);
      expect(await countTarget(b.database, `select count(*) as n from pd_sub where id like '${prefix}%'`)).toBe(2);
    };

    it('with sharedTransaction, Postgres targets on one connection write a source record to all or none', async () => {
      await breakSubLedger();
      const queue = await startQueue({ database: b.database, tuning: TEST_TUNING, onRunFinished: () => {} });
      try {
        const queued = await queue.launcher.enqueue({ flowId: sharedDoc.id, version: 1, environment: 'dev', trigger: 'manual', input: jsonlInput(recordsOf('u')), requestedBy: 'tester' });
        await expectAllOrNothing(await waitForRun(b.store, queued.id, 60_000), 'u');
      } finally {
        await queue.stop();
      }
    }, 120_000);
  });
}
