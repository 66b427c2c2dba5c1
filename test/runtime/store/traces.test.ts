/** Traces and dead letters through the sink into each backend, and read back. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterEntry, RecordTrace } from '../../../runtime/engine/run-types.ts';
import type { Store, StoredTrace } from '../../../runtime/store/store.ts';
import { measureTraceInsertCeiling } from '../../bench/trace-insert-ceiling.ts';
import { storeBackends } from './store-backends.ts';

function trace(runId: string, i: number, over: Partial<RecordTrace> = {}): RecordTrace {
  return {
    runId, lineageKey: String(i), sourceKey: `line-${i}`, businessKey: `INV-${1000 + i}`, path: ['file', 'map', 'erp'],
    outcome: 'delivered', endNode: 'erp', targetNode: 'erp', idempotencyKey: `erp:INV-${1000 + i}`, targetRef: `DOC-${i}`,
    targetStatus: 201, input: { invoice: `INV-${1000 + i}`, amount: '10.00' }, output: { doc: `INV-${1000 + i}` },
    steps: [{ node: 'map', data: { doc: `INV-${1000 + i}` } }], amount: '10.00', currency: 'EUR',
    eventTime: 1_767_225_600_000 + i, finishedAt: 1_767_225_660_000 + i, ...over,
  };
}

function quarantined(runId: string, i: number): { trace: RecordTrace; dead: DeadLetterEntry } {
  const error = { errorClass: 'validation' as const, message: `Cost centre "CC-${i}" is not in the chart of accounts`, nodeId: 'check', field: 'costCentre' };
  return {
    trace: trace(runId, i, { outcome: 'quarantined', endNode: 'check', targetNode: undefined, idempotencyKey: undefined,
      targetRef: undefined, targetStatus: undefined, errorClass: 'validation', error,
      failures: [{ rule: 'known-cost-centre', message: error.message, severity: 'error', field: 'costCentre' }] }),
    dead: { runId, lineageKey: String(i), sourceKey: `line-${i}`, businessKey: `INV-${1000 + i}`, nodeId: 'check',
      disposition: 'quarantined', errorClass: 'validation', error, sourceRecord: { invoice: `INV-${1000 + i}`, costCentre: `CC-${i}` } },
  };
}

async function count(store: Store, table: string, runId: string): Promise<number> {
  const { rows } = await store.sql.query<{ n: unknown }>(`select count(*) as n from ${table} where run_id = $1`, [runId]);
  return Number(rows[0].n);
}

for (const backend of storeBackends()) {
  describe(`traces on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => { store = await backend.open(); });
    afterAll(() => backend.cleanup());

    it('stores a trace with two ~1 KB snapshots as written, without compressing it', async () => {
      const runId = `run-uncompressed-${backend.name}`;
      const lines = Array.from({ length: 14 }, (_, n) => ({ line: n + 1, text: `Deep groove ball bearing 6204-2RS, lot ${n}`, amount: `${n}1.50` }));
      const sink = store.openTraceSink({ runId, flowId: 'f', version: 1, environment: null });
      await sink.write([trace(runId, 1, { input: { invoice: 'INV-1', lines }, output: { doc: 'INV-1', lines } })], []);
      await sink.flush();
      const { rows } = await store.sql.query<{ size: unknown; raw: unknown; method: string | null }>(
        `select pg_column_size(input) as size, octet_length(input::text) as raw, pg_column_compression(input) as method
         from record_traces where run_id = $1`, [runId]);
      expect(Number(rows[0].raw)).toBeGreaterThan(700);
      expect(rows[0].method).toBeNull();
      expect(Number(rows[0].size)).toBeGreaterThanOrEqual(Number(rows[0].raw));
    });

    it('stores a record that left as it came once, and gives it back as input and output', async () => {
      const runId = `run-same-${backend.name}`;
      const record = { invoice: 'INV-7', lines: [{ line: 1, amount: '12.50' }], note: 'tab\there, back\\slash' };
      const sink = store.openTraceSink({ runId, flowId: 'f', version: 1, environment: null });
      await sink.write([
        trace(runId, 1, { input: record, output: record, steps: [{ node: 'map', data: record }] }),
        trace(runId, 2, { input: record, output: { ...record } }),
        trace(runId, 3, { input: null, output: null }),
      ], []);
      await sink.flush();
      const { rows } = await store.sql.query<{ lineage_key: string; output: unknown; output_is_input: boolean | null }>(
        'select lineage_key, output, output_is_input from record_traces where run_id = $1 order by lineage_key', [runId]);
      expect(rows.map((r) => [r.lineage_key, r.output === null, r.output_is_input])).toEqual([['1', true, true], ['2', false, null], ['3', true, true]]);
      const one = await store.getTrace(runId, '1');
      expect(one).toMatchObject({ input: record, output: record, steps: [{ node: 'map', data: record }] });
      expect((await store.getTrace(runId, '2'))).toMatchObject({ input: record, output: record });
      expect((await store.getTrace(runId, '3'))).toMatchObject({ input: null, output: null });
      const listed = await store.listTraces(runId, {}, { limit: 10 });
      expect(listed.items[0]).toMatchObject({ input: record, output: record });
    });

    it('stores every trace and dead letter exactly once, across batches and calls', async () => {
      const runId = 'run_exact';
      const sink = store.openTraceSink({ runId, flowId: 'ap', version: 2, environment: 'prod', batchSize: 100, maxPendingBatches: 2 });
      let written = 0;
      let dead = 0;
      for (let call = 0; call < 13; call++) {
        const traces: RecordTrace[] = [];
        const deads: DeadLetterEntry[] = [];
        for (let j = 0; j < 77; j++) {
          const i = call * 77 + j;
          if (i % 10 === 3) { const q = quarantined(runId, i); traces.push(q.trace); deads.push(q.dead); dead++; }
          else traces.push(trace(runId, i));
          written++;
        }
        const wait = sink.write(traces, deads);
        if (wait) await wait;
      }
      await sink.flush();
      await sink.flush();
      expect(await count(store, 'record_traces', runId)).toBe(written);
      expect(await count(store, 'dead_letters', runId)).toBe(dead);
      const { rows } = await store.sql.query<{ n: unknown }>(
        'select count(distinct lineage_key) as n from record_traces where run_id = $1', [runId]);
      expect(Number(rows[0].n)).toBe(written);
      // Every dead letter has its trace.
      const orphans = await store.sql.query<{ n: unknown }>(
        `select count(*) as n from dead_letters d where run_id = $1 and not exists
           (select 1 from record_traces t where t.run_id = d.run_id and t.lineage_key = d.lineage_key)`, [runId]);
      expect(Number(orphans.rows[0].n)).toBe(0);
    });

    it('reads a trace back field for field', async () => {
      const runId = 'run_fields';
      const sink = store.openTraceSink({ runId, flowId: 'ap', version: 7, environment: 'test' });
      const full = trace(runId, 1, { retries: [{ attempt: 1, at: '2026-01-01T00:00:00.000Z', error: { errorClass: 'transient', message: 'HTTP 503', status: 503 } }] });
      const q = quarantined(runId, 2);
      const bare: RecordTrace = { runId, lineageKey: '3.0', sourceKey: 'k3', businessKey: null, path: ['file', 'route'],
        outcome: 'filtered', endNode: 'route', input: null, output: null, steps: [], finishedAt: 1_767_225_600_123 };
      sink.write([full, q.trace, bare], [q.dead]);
      await sink.flush();

      const stored = (lk: string) => store.getTrace(runId, lk);
      const strip = ({ id, flowId, version, ...rest }: StoredTrace) => { expect(id).toBeGreaterThan(0); expect([flowId, version]).toEqual(['ap', 7]); return rest; };
      expect(strip((await stored('1'))!)).toEqual(full);
      expect(strip((await stored('2'))!)).toEqual(q.trace);
      expect(strip((await stored('3.0'))!)).toEqual(bare);
      expect(await stored('4')).toBeNull();

      const dl = await store.listDeadLetters({ runId }, { limit: 10 });
      expect(dl.items).toHaveLength(1);
      expect(dl.items[0]).toMatchObject({ runId, flowId: 'ap', version: 7, environment: 'test', lineageKey: '2', nodeId: 'check',
        disposition: 'quarantined', errorClass: 'validation', error: q.dead.error, sourceRecord: q.dead.sourceRecord, status: 'open' });
    });

    it('keeps awkward characters intact', async () => {
      const runId = 'run_chars';
      const nasty = 'tab\there, new\nline, cr\r, back\\slash, "quote", {brace}, comma, 日本語, emoji 💶, \\N, \\u0000';
      const sink = store.openTraceSink({ runId, flowId: 'ap', version: null, environment: null });
      const t = trace(runId, 1, { businessKey: nasty, sourceKey: nasty, path: ['a,b', 'c"d', 'e\\f', 'g h', '{x}', 'NULL', ''],
        input: { text: nasty, nested: { [nasty]: [nasty, 1.5, true, null] } }, output: nasty, targetRef: nasty });
      const withNul = trace(runId, 2, { sourceKey: 'nul\u0000here', input: { text: 'nul\u0000here' } });
      sink.write([t, withNul], []);
      await sink.flush();
      const back = await store.getTrace(runId, '1');
      expect(back?.businessKey).toBe(nasty);
      expect(back?.sourceKey).toBe(nasty);
      expect(back?.path).toEqual(t.path);
      expect(back?.input).toEqual(t.input);
      expect(back?.output).toBe(nasty);
      expect(back?.targetRef).toBe(nasty);
      // Postgres cannot store NUL: the record is kept with the character replaced.
      const nul = await store.getTrace(runId, '2');
      expect(nul?.sourceKey).toBe('nul\uFFFDhere');
      expect(nul?.input).toEqual({ text: 'nul\uFFFDhere' });
      expect((await store.findByBusinessKey(nasty, { limit: 5 })).items.map((x) => x.lineageKey)).toEqual(['1']);
    });

    it('fails flush with the database error and stores no half batch', async () => {
      const runId = 'run_fail';
      const sink = store.openTraceSink({ runId, flowId: 'ap', version: 1, environment: 'dev', batchSize: 10 });
      const good = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => trace(runId, i));
      sink.write(good, []);
      await sink.flush();
      // A dead letter the database refuses: its batch (trace included) must roll back.
      const q = quarantined(runId, 10);
      sink.write([q.trace], [{ ...q.dead, errorClass: 'not-a-class' as never }]);
      await expect(sink.flush()).rejects.toThrow(/check constraint|violates/);
      expect(await count(store, 'record_traces', runId)).toBe(10);
      expect(await count(store, 'dead_letters', runId)).toBe(0);
      expect(() => sink.write([trace(runId, 11)], [])).toThrow();
    });

    it('lists a run\'s traces page by page, by outcome and by search', async () => {
      const runId = 'run_list';
      const sink = store.openTraceSink({ runId, flowId: 'ap', version: 1, environment: 'dev' });
      const traces: RecordTrace[] = [];
      for (let i = 0; i < 30; i++) traces.push(i % 3 === 0 ? quarantined(runId, i).trace : trace(runId, i));
      // Fan-out children of record 12.
      traces.push(trace(runId, 0, { lineageKey: '12.0', businessKey: 'INV-CHILD-A' }), trace(runId, 0, { lineageKey: '12.1', businessKey: 'INV-CHILD-B' }));
      sink.write(traces, []);
      await sink.flush();

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listTraces(runId, {}, { limit: 7, cursor });
        expect(page.items.length).toBeLessThanOrEqual(7);
        seen.push(...page.items.map((t) => t.lineageKey));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(traces.map((t) => t.lineageKey));

      const q = await store.listTraces(runId, { outcome: 'quarantined' }, { limit: 100 });
      expect(q.items.map((t) => t.lineageKey)).toEqual(['0', '3', '6', '9', '12', '15', '18', '21', '24', '27']);
      const q2 = await store.listTraces(runId, { outcome: 'quarantined' }, { limit: 4 });
      const q3 = await store.listTraces(runId, { outcome: 'quarantined' }, { limit: 4, cursor: q2.nextCursor! });
      expect(q3.items.map((t) => t.lineageKey)).toEqual(['12', '15', '18', '21']);

      const search = async (s: string) => (await store.listTraces(runId, { search: s }, { limit: 100 })).items.map((t) => t.lineageKey);
      expect(await search('INV-1005')).toEqual(['5']);
      expect(await search('line-7')).toEqual(['7']);
      expect(await search('12')).toEqual(['12', '12.0', '12.1']);
      expect(await search('1')).toEqual(['1']);
      expect(await search('1%')).toEqual([]);
      expect(await search('nothing')).toEqual([]);
    });

    it('finds a business document across runs and flows, newest first', async () => {
      const key = `INV-FIND-${backend.name}`;
      const ids: string[] = [];
      for (const [runId, flowId] of [['run_f1', 'ap'], ['run_f2', 'ap'], ['run_f3', 'gl']]) {
        const sink = store.openTraceSink({ runId, flowId, version: 1, environment: 'prod' });
        sink.write([trace(runId, 1), trace(runId, 2, { businessKey: key })], []);
        await sink.flush();
        ids.push(runId);
      }
      const first = await store.findByBusinessKey(key, { limit: 2 });
      expect(first.items.map((t) => [t.runId, t.flowId])).toEqual([['run_f3', 'gl'], ['run_f2', 'ap']]);
      const second = await store.findByBusinessKey(key, { limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((t) => t.runId)).toEqual(['run_f1']);
      expect(second.nextCursor).toBeNull();
    });

    it('uses the business-key prefix index for the search', async () => {
      if (backend.name === 'pglite-memory') return; // same engine as pglite-disk
      await store.sql.query('analyze record_traces');
      const { rows } = await store.sql.query<Record<string, string>>(
        `explain select id from record_traces where business_key is not null and lower(business_key) like 'inv-1%' order by id desc limit 51`);
      expect(rows.map((r) => Object.values(r)[0]).join('\n')).toMatch(/record_traces_business_key_prefix_idx/);
    });

    it('finds by the start of the key in any case, and fan-out items by their own key', async () => {
      const tag = backend.name.replace(/\W/g, '').toUpperCase();
      const sink = store.openTraceSink({ runId: 'run_prefix', flowId: 'camt', version: 1, environment: 'prod' });
      sink.write([
        trace('run_prefix', 1, { businessKey: `PFX${tag}-2026-0042` }),
        trace('run_prefix', 2, { businessKey: `PFX${tag}-2026-0043` }),
        trace('run_prefix', 3, { businessKey: `OTHER-PFX${tag}` }),
        trace('run_prefix', 4, { businessKey: `STMT-${tag}`, lineageKey: '4.0', itemKey: `Ntry${tag}-091029ARCH03` }),
        trace('run_prefix', 5, { businessKey: `pfx${tag}_x` }),
      ], []);
      await sink.flush();
      const keys = async (q: string) => (await store.findByBusinessKey(q, { limit: 10 })).items.map((t) => t.lineageKey);
      expect(await keys(`pfx${tag}-2026`)).toEqual(['2', '1']);
      expect(await keys(`PFX${tag}-2026-0042`)).toEqual(['1']);
      expect(await keys(`ntry${tag}-091029`)).toEqual(['4.0']);
      // LIKE's wildcards in the search text are matched literally.
      expect(await keys(`pfx${tag}_`)).toEqual(['5']);
      expect(await keys(`pfx${tag}%`)).toEqual([]);
      const page1 = await store.findByBusinessKey(`PFX${tag}`, { limit: 2 });
      expect(page1.items.map((t) => t.lineageKey)).toEqual(['5', '2']);
      expect((await store.findByBusinessKey(`PFX${tag}`, { limit: 2, cursor: page1.nextCursor! })).items.map((t) => t.lineageKey)).toEqual(['1']);
    });

    it('searches key prefixes through the prefix indexes', async () => {
      if (backend.name === 'pglite-memory') return; // same engine as pglite-disk
      await store.sql.query('set enable_seqscan = off');
      try {
        const { rows } = await store.sql.query<Record<string, string>>(
          `explain select id from record_traces where business_key is not null and lower(business_key) like 'inv-20%' order by id desc limit 51`);
        expect(rows.map((r) => Object.values(r)[0]).join('\n')).toMatch(/record_traces_business_key_prefix_idx/);
        const items = await store.sql.query<Record<string, string>>(
          `explain select id from record_traces where item_key is not null and lower(item_key) like 'ntry%' order by id desc limit 51`);
        expect(items.rows.map((r) => Object.values(r)[0]).join('\n')).toMatch(/record_traces_item_key_prefix_idx/);
      } finally {
        await store.sql.query('set enable_seqscan = on');
      }
    });

    it('measures the trace insert ceiling and cleans up after itself', async () => {
      const rate = await measureTraceInsertCeiling(store, 1200);
      expect(rate).toBeGreaterThan(100);
      const { rows } = await store.sql.query<{ n: unknown }>(`select count(*) as n from record_traces where flow_id = 'ceiling'`);
      expect(Number(rows[0].n)).toBe(0);
    });
  });
}
