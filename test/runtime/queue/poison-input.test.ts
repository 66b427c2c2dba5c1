/**
 * Poison input fails its run at once, saying which file, line and limit (or
 * field), instead of being retried for minutes: a record nested 100,000
 * levels deep, a NUL character (Postgres refuses it: 22P05) in a document or
 * in records handed in directly, and a store error no retry can fix.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { isPermanentJobError } from '../../../runtime/queue/permanent-errors.ts';
import { FlowError } from '../../../nodes/errors.ts';
import type { RunRequest } from '../../../runtime/queue/run-launcher.ts';
import { TEST_TUNING, backendNames, countTarget, openBackend, records, setUpFlow, waitForRun, type OpenedBackend } from './queue-fixtures.ts';

const request = (input: RunRequest['input']): RunRequest => ({
  flowId: 'queue-test', version: 1, environment: 'dev', trigger: 'manual', input, requestedBy: 'tester',
});
const lines = (list: string[]): RunRequest['input'] => ({ kind: 'document', name: 'events.jsonl', bytes: new TextEncoder().encode(list.join('\n')) });
const good = () => records(5).map((r) => JSON.stringify(r));

describe('which job errors are permanent', () => {
  it('fails at once on bad data, retries what another attempt may fix', () => {
    expect(isPermanentJobError(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }))).toBe(true);
    expect(isPermanentJobError(Object.assign(new Error('index row size exceeds maximum'), { code: '54000' }))).toBe(true);
    expect(isPermanentJobError(new RangeError('Maximum call stack size exceeded'))).toBe(true);
    expect(isPermanentJobError(new FlowError('validation', 'bad'))).toBe(true);
    expect(isPermanentJobError(new FlowError('transient', 'target down'))).toBe(false);
    expect(isPermanentJobError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(false);
    expect(isPermanentJobError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});

for (const backend of backendNames()) {
  describe(`poison input on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      await setUpFlow(b.database);
      // Ten retries as in production: a poison record that were retried would keep its run running for minutes.
      queue = await startQueue({ database: b.database, tuning: { ...TEST_TUNING, retryLimit: 10 } });
    });

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    });

    const failsFast = async (input: RunRequest['input']) => {
      const started = Date.now();
      const queued = await queue!.launcher.enqueue(request(input));
      const run = await waitForRun(b.store, queued.id, 30_000);
      const ms = Date.now() - started;
      expect(run.status).toBe('failed');
      expect(await countTarget(b.database, 'select count(*) as n from q_rows')).toBe(0);
      // Queue overhead included (and a busy test machine); a retried job would take minutes (ten attempts: ~3.5 min).
      expect(ms).toBeLessThan(20_000);
      return { message: run.error?.message ?? '', ms };
    };

    it('fails a run with a deeply nested record at once, naming file, line and limit', async () => {
      const deep = `{"id":"deep","amount":"1","currency":"EUR","row":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const list = good();
      list.splice(3, 0, deep);
      const { message, ms } = await failsFast(lines(list));
      expect(message).toMatch(/^events\.jsonl line 4: the record is nested more than 1,000 levels deep \(maxDepth\)/);
      console.log(`[${backend}] nested 100,000 levels: run failed after ${ms} ms`);
    });

    it('fails a run with a NUL character at once, naming file, line and field', async () => {
      const list = good();
      list.splice(1, 0, JSON.stringify({ id: 'nul', amount: '1', currency: 'EUR', row: { id: 'nul', amount: '1', memo: 'a\u0000b' } }));
      const { message, ms } = await failsFast(lines(list));
      expect(message).toMatch(/^events\.jsonl line 2: field row\.memo contains a NUL character/);
      console.log(`[${backend}] NUL character: run failed after ${ms} ms`);
    });

    it('refuses a NUL character in records handed in directly, naming the record and field', async () => {
      const given = records(3).map((r) => ({ data: r as unknown }));
      given[2] = { data: { id: 'nul', amount: '1', currency: 'EUR', row: { id: 'nul\u0000', amount: '1' } } };
      const outcome = await queue!.launcher.enqueue(request({ kind: 'records', records: given as { data: unknown }[] })).then(
        async (queued) => (await waitForRun(b.store, queued.id, 15_000)).error?.message ?? '',
        (err: Error) => err.message,
      );
      expect(outcome).toMatch(/NUL character/);
    });
  });
}
