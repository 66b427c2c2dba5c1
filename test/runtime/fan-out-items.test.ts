/**
 * Issue 15, the camt.054 fan-out case, started both ways (as the CLI starts
 * runs, through the use cases with no environment, and queued directly as the
 * API's triggers do; both through the queue's split and chunk jobs): each entry is an
 * item with its own key, amount, outcome and trace; the figures count source
 * records and items, both exact; a replay of the dead-lettered entries runs
 * only those (the INFO entry is not quarantined again); a re-run that fails an
 * entry again updates its open dead letter; a run that delivers nothing
 * because all was filtered, or whose declared expressions match nothing,
 * says so.
 */
import { readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { startQueue, type StartedQueue } from '../../runtime/queue/start-queue.ts';
import { replayRecords } from '../../runtime/replay.ts';
import { startVersionRun } from '../../runtime/app/runs.ts';
import { replayDeadLetters } from '../../runtime/app/dead-letters.ts';
import { openPgliteDatabase, } from '../../runtime/store/open-store.ts';
import type { Database } from '../../runtime/store/database.ts';
import type { RunRow, Store } from '../../runtime/store/store.ts';
import { targetDatabase } from '../../runtime/store/target-databases.ts';
import { referenceAsOf, type ReplayReference } from '../../runtime/replay.ts';
import { TEST_TUNING, waitForRun } from './queue/queue-fixtures.ts';
import { CAMT054_PATH, ENTRIES, INFO_ENTRY, camt054Flow, createBrokenTable, fixTable } from './fan-out-items-fixtures.ts';


/** Amounts compared by value: the scale totals are shown at is not this test's concern. */
const byValue = (totals: Record<string, string | undefined> | undefined) =>
  Object.fromEntries(Object.entries(totals ?? {}).map(([k, v]) => [k, v === undefined ? v : new Decimal(v).toFixed()]));

/** One way of starting a flow's run and waiting for its end: the CLI's or a trigger's. */
interface RunPath {
  name: string;
  run(doc: FlowDocument): Promise<RunRow>;
  replay(doc: FlowDocument, ids: number[]): Promise<RunRow>;
}

let store: Store;

let database: Database;
let queue: StartedQueue;

beforeAll(async () => {
  database = await openPgliteDatabase({});
  store = database.store;
  queue = await startQueue({ database, tuning: TEST_TUNING });
});

afterAll(async () => {
  await queue?.stop();
  await store?.close();
});

/** As `ledgerflow run` and `ledgerflow dlq replay` start them: the use cases of runtime/app, a run of no environment. */
const cliPath: RunPath = {
  name: 'as the CLI starts it (use cases, no environment)',
  async run(doc) {
    const queued = await startVersionRun({ database, launcher: queue.launcher }, {
      flowId: doc.id, version: 1, environment: null, actor: 'cli', input: { name: 'camt054.xml', bytes: new Uint8Array(readFileSync(CAMT054_PATH)) },
    });
    return waitForRun(store, queued.id, 120_000);
  },
  async replay(_doc, ids) {
    return cliReplay(ids, 'current');
  },
};

async function cliReplay(ids: number[], reference: ReplayReference): Promise<RunRow> {
  const queued = await replayDeadLetters({ database, launcher: queue.launcher }, { ids, against: { version: 1 }, reference, defaultEnvironment: null, actor: 'cli' });
  return waitForRun(store, queued.run.id, 120_000);
}

const queuePath: RunPath = {
  name: 'through the queue',
  async run(doc) {
    const bytes = new Uint8Array(readFileSync(CAMT054_PATH));
    const queued = await queue.launcher.enqueue({ flowId: doc.id, version: 1, environment: 'dev', trigger: 'manual', input: { kind: 'document', name: 'camt054.xml', bytes }, requestedBy: 'tester' });
    return waitForRun(store, queued.id);
  },
  async replay(doc, ids) {
    // As the API's replay route queues it.
    const letters = await store.getDeadLetters(ids);
    const queued = await queue.launcher.enqueue({
      flowId: doc.id, version: 1, environment: 'dev', trigger: 'replay', replayOf: letters[0].runId,
      input: { kind: 'records', records: replayRecords(letters) }, replayDeadLetterIds: ids, requestedBy: 'tester',
    });
    return waitForRun(store, queued.id);
  },
};

async function saveFlow(doc: FlowDocument): Promise<void> {
  await store.saveDraft(doc, 'tester');
  await store.saveVersion(doc.id, doc, 'tester', 'first');
}

const openLetters = async (flowId: string) => (await store.listDeadLetters({ flowId, status: 'open' }, { limit: 100 })).items;

for (const [n, path] of [cliPath, queuePath].entries()) {
  describe(`camt.054 fan-out ${path.name}`, () => {
    const table = `notification_entry_${n}`;
    const doc = camt054Flow(`camt054-items-${n}`, table);
    let first: RunRow;

    beforeAll(async () => {
      await targetDatabase(database, 'treasury').query(createBrokenTable(table));
      await saveFlow(doc);
      first = await path.run(doc);
    }, 180_000);

    it('gives each entry its own lineage, key, amount and outcome, and counts records and items, both exact', async () => {
      const rec = first.reconciliation!;
      expect(first.status).toBe('completed_with_exceptions');
      // Source-record level: one notification read, ending in exceptions.
      expect(rec.counts).toMatchObject({ read: 1, delivered: 0 });
      expect(byValue(rec.totals.read)).toEqual({ EUR: '369.95' });
      // Item level: six entries, five dead-lettered at the target, one quarantined by the rule.
      expect(rec.items?.counts).toEqual({ read: 6, delivered: 0, quarantined: 1, deadLettered: 5, duplicate: 0, filtered: 0 });
      expect(byValue(rec.items?.totals.read)).toEqual({ EUR: '369.95' });
      expect(byValue(rec.items?.totals.quarantined)).toEqual({ EUR: '100' });
      expect(byValue(rec.items?.totals.deadLettered)).toEqual({ EUR: '269.95' });
      expect(rec.closes).toBe(true);

      const traces = (await store.listTraces(first.id, {}, { limit: 100 })).items;
      expect(traces).toHaveLength(6);
      expect(new Set(traces.map((t) => t.lineageKey)).size).toBe(6);
      expect(byValue(Object.fromEntries(traces.map((t) => [t.itemKey!, t.amount])))).toEqual(byValue(ENTRIES));
      expect(traces.find((t) => t.itemKey === INFO_ENTRY)?.outcome).toBe('quarantined');

      const letters = await openLetters(doc.id);
      expect(letters.map((l) => l.itemKey).sort()).toEqual(Object.keys(ENTRIES).sort());
    });

    it('an operator finds an entry by the start of its own reference in any case, and its lineage lists every entry with its amount', async () => {
      const found = (await store.findByBusinessKey('091029acctstmtarch0', { limit: 50 })).items.filter((t) => t.runId === first.id);
      expect(found.map((t) => t.itemKey).sort()).toEqual(['091029ACCTSTMTARCH03', '091029ACCTSTMTARCH04', '091029ACCTSTMTARCH05']);
      const ends = await store.sourceRecordOutcomes(first.id, found[0].lineageKey);
      expect(byValue(Object.fromEntries(ends.ends.map((e) => [e.itemKey!, e.amount])))).toEqual(byValue(ENTRIES));
      expect(new Set(ends.ends.map((e) => e.currency))).toEqual(new Set(['EUR']));
    });

    it('replays only the dead-lettered entries: five delivered, the INFO entry left as it was', async () => {
      await targetDatabase(database, 'treasury').query(fixTable(table));
      const dead = (await openLetters(doc.id)).filter((l) => l.disposition === 'dead_lettered');
      expect(dead).toHaveLength(5);
      const replay = await path.replay(doc, dead.map((l) => l.id));

      expect(replay.status).toBe('succeeded');
      expect(replay.reconciliation?.counts).toMatchObject({ read: 1, delivered: 1, quarantined: 0, deadLettered: 0 });
      expect(replay.reconciliation?.items?.counts).toEqual({ read: 5, delivered: 5, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 });
      expect(byValue(replay.reconciliation?.items?.totals.delivered)).toEqual({ EUR: '269.95' });
      const { rows } = await targetDatabase(database, 'treasury').query<{ n: unknown }>(`select count(*) as n from ${table}`);
      expect(Number(rows[0].n)).toBe(5);

      // The INFO entry was not run again: its quarantine is the one open exception, still at its first attempt.
      const open = await openLetters(doc.id);
      expect(open.map((l) => [l.itemKey, l.attempts, l.runId])).toEqual([[INFO_ENTRY, 1, first.id]]);
      const replayed = await store.getDeadLetters(dead.map((l) => l.id));
      expect(replayed.every((l) => l.status === 'replayed' && l.replayRunId === replay.id)).toBe(true);
    });

    it('a re-run of the same file updates the open quarantine (attempt 2) instead of adding one', async () => {
      const again = await path.run(doc);
      expect(again.reconciliation?.items?.counts).toMatchObject({ read: 6, duplicate: 5, quarantined: 1 });
      const open = await openLetters(doc.id);
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ itemKey: INFO_ENTRY, attempts: 2, runId: again.id, firstRunId: first.id });
    });

    it('health counts items as the runs do: failed items over items read, never more than read (no 125 %)', async () => {
      // The runs of this flow so far: the first run, the replay of five entries, the re-run of the file.
      const { rows: runs } = await store.sql.query<{ id: string; counts: { read: number }; reconciliation: { items?: { counts: { read: number; quarantined: number; deadLettered: number } } } }>(
        'select id, counts, reconciliation from runs where flow_id = $1', [doc.id]);
      expect(runs).toHaveLength(3);
      const itemsRead = runs.reduce((n, r) => n + (r.reconciliation.items?.counts.read ?? r.counts.read), 0);
      const itemsFailed = runs.reduce((n, r) => n + (r.reconciliation.items ? r.reconciliation.items.counts.quarantined + r.reconciliation.items.counts.deadLettered : 0), 0);
      // 6 + 5 + 6 read; 6 failed in the first run (5 dead-lettered, 1 quarantined), 0 in the replay, 1 in the re-run.
      expect([itemsRead, itemsFailed]).toEqual([17, 7]);
      // The operator's health figures count the same items, from the traces, whatever the runs' level.
      const { rows: [traced] } = await store.sql.query<{ failed: unknown }>(
        "select count(*) as failed from record_traces where run_id = any($1) and outcome in ('quarantined', 'dead_lettered')", [runs.map((r) => r.id)]);
      expect(Number(traced.failed)).toBe(itemsFailed);
      const health = await database.ops.healthRows(new Date(Date.now() - 3600_000).toISOString(), new Date().toISOString());
      const failed = health.byClass.reduce((n, r) => n + Number(r.n), 0);
      expect(failed).toBeLessThanOrEqual(Number(health.runs.items_read));
    });
  });
}

describe('nothing silently empty', () => {
  const run = async (doc: FlowDocument): Promise<{ cli: RunRow; queued: RunRow }> => {
    await saveFlow(doc);
    return { cli: await cliPath.run(doc), queued: await queuePath.run(doc) };
  };

  it('a run whose records are all filtered out finishes with exceptions and a named warning, on both paths', async () => {
    // A wrong root (Ntfction for Ntfctn): the mapping gives nothing for every record.
    const doc = camt054Flow('camt054-all-filtered', 'unused_entries', { items: false, expression: 'Ntfction.Ntry.{ "entryRef": AcctSvcrRef }' });
    for (const r of Object.values(await run(doc))) {
      expect(r.status).toBe('completed_with_exceptions');
      expect(r.reconciliation?.warnings?.map((w) => w.code)).toEqual(['ALL_FILTERED']);
    }
  });

  // The booked entries only, with the record's amount summing them: 269.95 EUR, as the five booked entries.
  const BOOKED_SUM = "$decSum(Ntfctn.Ntry[Sts = 'BOOK'].(CdtDbtInd = 'DBIT' ? $decNeg(Amt.`#text`) : Amt.`#text`))";
  // Each path its own flow and table (both write the same entries).
  const runBooked = async (id: string, options: { amount?: string; itemAmount?: string; itemKey?: string } = {}): Promise<RunRow[]> => {
    const runs: RunRow[] = [];
    for (const path of [cliPath, queuePath]) {
      const flowId = `${id}-${path === cliPath ? 'cli' : 'queue'}`;
      const table = `${flowId.replaceAll('-', '_')}_entries`;
      const doc = camt054Flow(flowId, table, { bookedOnly: true, ...(options.amount ? { amount: options.amount } : {}) });
      Object.assign(doc.nodes[1].config, { ...(options.itemAmount ? { itemAmount: options.itemAmount } : {}), ...(options.itemKey ? { itemKey: options.itemKey } : {}) });
      await targetDatabase(database, 'treasury').query(`create table ${table} (entry_ref text primary key, notification text, amount numeric, currency text)`);
      await saveFlow(doc);
      runs.push(await path.run(doc));
    }
    return runs;
  };

  it('item-level reconciliation: items summing to their record\'s amount, exactly, are checked and succeed', async () => {
    for (const r of await runBooked('camt054-items-sum', { amount: BOOKED_SUM })) {
      expect(r.status).toBe('succeeded');
      expect(r.reconciliation?.itemSums).toEqual({ checked: 1, differing: 0, examples: [] });
      expect(r.reconciliation?.warnings).toBeUndefined();
    }
  });

  it('item-level reconciliation: items that do not sum to their record\'s amount are a named finding (the INFO entry mapped away)', async () => {
    // The record's amount counts all six entries (369.95 EUR); the mapping keeps the five booked ones (269.95 EUR).
    for (const r of await runBooked('camt054-items-differ')) {
      expect(r.status).toBe('completed_with_exceptions');
      expect(r.reconciliation?.itemSums).toEqual({ checked: 1, differing: 1, examples: [expect.objectContaining({ node: 'entries', currency: 'EUR', items: 5, recordAmount: '369.95', itemsTotal: '269.95' })] });
      expect(r.reconciliation?.warnings).toEqual([expect.objectContaining({ code: 'ITEM_AMOUNTS_DIFFER' })]);
      expect(r.reconciliation?.warnings?.[0].message).toContain('5 items of entries sum to 269.95 EUR, the record\'s amount is 369.95 EUR');
    }
  });

  it('an item amount missing for some items is counted and named, and finishes with exceptions (money); a key missing for some is a notice', async () => {
    for (const r of await runBooked('camt054-some-amounts', { amount: BOOKED_SUM, itemAmount: "entryRef != '091029ACCTSTMTARCH03' ? amount" })) {
      expect(r.status).toBe('completed_with_exceptions');
      expect(r.reconciliation?.warnings).toEqual([expect.objectContaining({ code: 'EXPRESSION_MATCHED_PARTLY', expression: 'itemAmount of entries', unmatched: 1, of: 5 })]);
      expect(r.reconciliation?.warnings?.[0].message).toBe('The itemAmount of entries expression gave nothing for 1 of 5 items: their amounts are not in the totals');
      expect(r.reconciliation?.items?.withoutAmount).toBe(1);
    }
    for (const r of await runBooked('camt054-some-keys', { amount: BOOKED_SUM, itemKey: "entryRef != '091029ACCTSTMTARCH03' ? entryRef" })) {
      expect(r.status).toBe('succeeded');
      expect(r.reconciliation?.warnings).toEqual([expect.objectContaining({ code: 'EXPRESSION_MATCHED_PARTLY', expression: 'itemKey of entries', unmatched: 1, of: 5, notice: true })]);
    }
  });

  it('a declared amount that matches nothing is a named warning, on both paths', async () => {
    const doc = camt054Flow('camt054-amount-typo', 'typo_entries', { items: false, bookedOnly: true, amount: 'Ntfctn.Ntry.Amount' });
    await targetDatabase(database, 'treasury').query('create table typo_entries (entry_ref text primary key, notification text, amount numeric, currency text)');
    const results = await run(doc);
    for (const r of Object.values(results)) {
      expect(r.status).toBe('completed_with_exceptions');
      expect(r.reconciliation?.warnings).toEqual([expect.objectContaining({ code: 'EXPRESSION_MATCHED_NOTHING', expression: 'amount.value' })]);
    }
  });
});


describe('replay with the reference data as it was, or re-evaluated with the current one', () => {
  // Entries are quarantined unless their reference is in the master data set `camt054-known-refs`.
  const known = (refs: string[]) => store.putReferenceSet({ set: 'camt054-known-refs', keyFields: ['ref'], rows: refs.map((ref) => ({ ref })) });
  const flowWithMasterData = (id: string): FlowDocument => {
    const doc = camt054Flow(id, `${id.replaceAll('-', '_')}_entries`, { bookedOnly: true });
    doc.referenceData = { known: { stored: 'camt054-known-refs', key: 'ref' } };
    (doc.nodes[2].config as { rules: unknown[] }).rules.push({ id: 'known', expression: "$inRef('known', entryRef)", message: 'entry {{entryRef}} is not in the master data', severity: 'error', field: 'entryRef' });
    return doc;
  };

  const replay = async (path: 'cli' | 'queue', doc: FlowDocument, mode: ReplayReference): Promise<RunRow> => {
    const ids = (await openLetters(doc.id)).map((l) => l.id);
    if (path === 'cli') return cliReplay(ids, mode);
    const letters = await store.getDeadLetters(ids);
    const queued = await queue.launcher.enqueue({
      flowId: doc.id, version: 1, environment: 'dev', trigger: 'replay', replayOf: letters[0].runId,
      input: { kind: 'records', records: replayRecords(letters) }, replayDeadLetterIds: ids, referenceAsOf: referenceAsOf(mode, letters), requestedBy: 'tester',
    });
    return waitForRun(store, queued.id);
  };

  for (const path of ['cli', 'queue'] as const) {
    it(`master data fixed after the failure: "as it was" fails again, "current" delivers (${path})`, async () => {
      const doc = flowWithMasterData(`camt054-master-${path}`);
      await targetDatabase(database, 'treasury').query(`create table ${doc.id.replaceAll('-', '_')}_entries (entry_ref text primary key, notification text, amount numeric, currency text)`);
      await saveFlow(doc);
      // The master data lacks one booked entry: it is quarantined, the other four are delivered.
      await known(Object.keys(ENTRIES).filter((r) => r !== '091029ACCTSTMTARCH03'));
      const first = await (path === 'cli' ? cliPath : queuePath).run(doc);
      expect(first.reconciliation?.items?.counts).toMatchObject({ read: 5, delivered: 4, quarantined: 1 });
      // Loaded in a later millisecond than the failure.
      await new Promise((r) => setTimeout(r, 5));
      await known(Object.keys(ENTRIES));

      const asItWas = await replay(path, doc, 'as-it-was');
      expect(asItWas.reconciliation?.items?.counts).toMatchObject({ read: 1, delivered: 0, quarantined: 1 });
      const [open] = await openLetters(doc.id);
      expect(open).toMatchObject({ itemKey: '091029ACCTSTMTARCH03', attempts: 2, status: 'open' });

      const current = await replay(path, doc, 'current');
      expect(current.reconciliation?.items?.counts).toMatchObject({ read: 1, delivered: 1, quarantined: 0 });
      expect(await openLetters(doc.id)).toEqual([]);
    });
  }
});
