/**
 * End to end, the example flows/actuals-to-planning on 20,000 seeded GL lines
 * through the durable queue, on PGlite and (with TEST_DATABASE_URL) Postgres,
 * with one job loop and with two: the planning cells a local mock planning API
 * receives are exactly those computed here independently (integer cents,
 * half-even EUR rounding), each once, and the GL total per currency of the
 * lines that reached the aggregate equals the sum of the cells.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadExamples } from '../../runtime/app/bootstrap.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';
import { startQueue, type StartedQueue } from '../../runtime/queue/start-queue.ts';
import { createConnectionResolver } from '../../runtime/connectors/connection-registry.ts';
import { storeConnectionOptions } from '../../runtime/store/target-databases.ts';
import { backendNames, dropSchemas, freshSchemaName, openBackend, waitForRun, type OpenedBackend } from '../runtime/queue/queue-fixtures.ts';
import { chunksByWorker, spawnWorker, type WorkerProcess } from '../runtime/queue/scale-fixtures.ts';
import { openBoss } from '../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../runtime/queue/launcher.ts';
import { tuningOf } from '../../runtime/queue/queue-options.ts';
import { openPostgresDatabase } from '../../runtime/store/open-store.ts';
import { connectionsRepo } from '../../runtime/store/service-connections.ts';
import type { RunRow } from '../../runtime/store/store.ts';
import { generateGlLines, glLinesCsv, type GlLine } from './gl-lines.ts';
import { planningApi } from '../mock-systems/planning-api.ts';

const RATES: Record<string, bigint> = { EUR: 10000n, CHF: 10705n, USD: 8612n, GBP: 11408n }; // × 10^-4
const PLANNING_LINES: Record<string, string> = { 4000: 'REVENUE', 4100: 'REVENUE', 5000: 'COGS', 6000: 'PERSONNEL', 6200: 'FACILITIES', 6420: 'IT', 6800: 'FACILITIES', 7000: 'TRAVEL' };
const UNITS: Record<string, string> = {
  'CC-1000': 'CORPORATE', 'CC-1100': 'CORPORATE', 'CC-2000': 'SALES', 'CC-2100': 'SALES', 'CC-3000': 'OPERATIONS', 'CC-3100': 'OPERATIONS', 'CC-4000': 'IT', 'CC-5000': 'R_AND_D',
};

const cents = (amount: string) => BigInt(amount.replace('.', ''));
const text = (c: bigint) => {
  const abs = (c < 0n ? -c : c).toString().padStart(3, '0');
  return `${c < 0n ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
};
/** cents × rate (4 decimals), rounded half-even to cents. */
function eurCents(c: bigint, rate: bigint): bigint {
  const scaled = c * rate;
  const q = scaled / 10000n;
  const r = scaled % 10000n;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice > 10000n || (twice === 10000n && q % 2n !== 0n)) return q + (scaled < 0n ? -1n : 1n);
  return q;
}

interface Cell { amount: bigint; amountEur: bigint; lines: number }

function expectedCells(lines: readonly GlLine[]) {
  const cells = new Map<string, Cell>();
  const glTotals = new Map<string, bigint>();
  let quarantined = 0;
  for (const l of lines) {
    const planningLine = PLANNING_LINES[l.account];
    const unit = UNITS[l.costCentre];
    if (!planningLine || !unit) {
      quarantined++;
      continue;
    }
    const key = [l.postingDate.slice(0, 7), l.company, l.status === 'posted' ? 'ACTUAL' : 'ACTUAL_PRELIMINARY', planningLine, unit, l.currency].join('|');
    const cell = cells.get(key) ?? { amount: 0n, amountEur: 0n, lines: 0 };
    cell.amount += cents(l.amount);
    cell.amountEur += eurCents(cents(l.amount), RATES[l.currency]);
    cell.lines++;
    cells.set(key, cell);
    glTotals.set(l.currency, (glTotals.get(l.currency) ?? 0n) + cents(l.amount));
  }
  return { cells, glTotals, quarantined };
}

/**
 * The month-end size (20,000 lines) runs where it proves most: on the embedded store with one job loop (what
 * `npm start` runs) and with two `ledgerflow worker` processes on Postgres. The other variants prove the same
 * figures on 4,000 lines (several groups per cell, every kind of quarantine), which keeps `npm test` short.
 */
const FULL = fixture(generateGlLines(Number(process.env.GL_LINES ?? 20_000)));
const SMALL = fixture(generateGlLines(Number(process.env.GL_LINES_SMALL ?? 4_000)));

function fixture(lines: readonly GlLine[]) {
  return { lines, expected: expectedCells(lines), csv: () => new TextEncoder().encode(glLinesCsv(lines)) };
}
type Fixture = ReturnType<typeof fixture>;

const api = planningApi();
let port = 0;
let flowsDir = '';

beforeAll(async () => {
  await new Promise<void>((done) => api.server.listen(0, '127.0.0.1', done));
  port = (api.server.address() as { port: number }).port;
  flowsDir = await mkdtemp(join(tmpdir(), 'lf-actuals-'));
  await cp(resolve(import.meta.dirname, '../../flows/actuals-to-planning'), join(flowsDir, 'actuals-to-planning'), { recursive: true });
});

afterAll(async () => {
  api.server.close();
  await rm(flowsDir, { recursive: true, force: true });
});

for (const backend of backendNames()) {
  describe(`actuals → planning, GL lines through the queue on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;

    beforeEach(async () => {
      b = await openBackend(backend);
      await loadExamples(b.database, { evaluators: createEvaluatorRegistry(), dir: flowsDir, environment: 'test' });
      api.reset();
    }, 300_000);

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    }, 300_000);

    for (const loops of [1, 2]) {
      const data = backend === 'pglite' && loops === 1 ? FULL : SMALL;
      it(`pushes exactly the expected planning cells for ${data.lines.length.toLocaleString('en')} lines, each once, with ${loops} job loop(s)`, async () => {
        // The flow's `planning` connection, bound to the mock planning API.
        const connectionsFor = () => createConnectionResolver({ planning: { kind: 'http', baseUrl: `http://127.0.0.1:${port}`, headers: {} } }, storeConnectionOptions(b.database));
        queue = await startQueue({ database: b.database, tuning: { chunkSize: 500 }, concurrency: loops, connectionsFor });
        const queued = await queue.launcher.enqueue({
          flowId: 'actuals-to-planning', version: 1, environment: 'test', trigger: 'manual', requestedBy: 'tester',
          input: { kind: 'document', name: 'gl-lines.csv', bytes: data.csv() },
        });
        expectCellsOf(data, await waitForRun(b.store, queued.id, 900_000));
      }, 900_000);
    }
  });
}

/** The run's figures and the cells the planning API holds are exactly the expected ones. */
function expectCellsOf({ lines: LINES, expected }: Fixture, run: RunRow) {
        const cellCount = expected.cells.size;
        expect(run.error?.message).toBeUndefined();
        expect(run.status).toBe(expected.quarantined ? 'completed_with_exceptions' : 'succeeded'); // the unmapped lines
        // The GL lines: aggregated into cells, or quarantined; the cells are counted apart, each delivered.
        expect(run.counts).toEqual({
          read: LINES.length, delivered: 0, filtered: 0, aggregated: LINES.length - expected.quarantined, quarantined: expected.quarantined, deadLettered: 0, duplicate: 0,
        });
        expect(run.reconciliation!.groups!.counts).toMatchObject({ read: cellCount, delivered: cellCount, quarantined: 0, deadLettered: 0 });
        // Every 1,000th line has an unmapped account, every 1,250th no cost centre (every 5,000th both).
        const n = LINES.length;
        expect(expected.quarantined).toBe(Math.floor(n / 1000) + Math.floor(n / 1250) - Math.floor(n / 5000));

        // Each cell once, with exactly the independently computed figures.
        expect(api.requests()).toBe(cellCount);
        const received = new Map([...api.cells.values()].map((c) => [[c.period, c.entity, c.version, c.planningLine, c.unit, c.currency].join('|'), c]));
        expect(received.size).toBe(cellCount);
        for (const [key, cell] of expected.cells) {
          expect(received.get(key), key).toEqual({
            ...Object.fromEntries(['period', 'entity', 'version', 'planningLine', 'unit', 'currency'].map((f, i) => [f, key.split('|')[i]])),
            amount: text(cell.amount), amountEur: text(cell.amountEur), lines: cell.lines,
          });
        }
        // Reconciliation: per currency, the GL lines that reached the aggregate = the sum of the cells = the run's own figure.
        const cellTotals = new Map<string, bigint>();
        for (const c of received.values()) cellTotals.set(String(c.currency), (cellTotals.get(String(c.currency)) ?? 0n) + cents(String(c.amount)));
        expect(cellTotals).toEqual(expected.glTotals);
        const aggregated = run.reconciliation!.totals.aggregated ?? {};
        expect(new Map(Object.entries(aggregated).map(([cur, v]) => [cur, cents(v)]))).toEqual(expected.glTotals);
        expect(run.reconciliation!.closes).toBe(true);
}

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('actuals → planning with two `ledgerflow worker` processes on Postgres', () => {
  const schema = freshSchemaName('lf_actuals');
  let workers: WorkerProcess[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await dropSchemas(url!, [schema, `${schema}_jobs`]);
  }, 120_000);

  it('gives the same cells, each once, with the chunks shared by both processes', async () => {
    const database = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 2 });
    const boss = await openBoss(database, { tuning: tuningOf(), supervise: false });
    try {
      await loadExamples(database, { evaluators: createEvaluatorRegistry(), dir: flowsDir, environment: 'test' });
      await connectionsRepo(database.store.sql).putConnection({
        environment: 'test', name: 'planning', kind: 'http', settings: { baseUrl: `http://127.0.0.1:${port}`, headers: {} }, encryptedSecrets: {}, updatedBy: 'tester',
      });
      api.reset();
      workers = await Promise.all([spawnWorker(url!, schema, ['--chunk-size', '500']), spawnWorker(url!, schema, ['--chunk-size', '500'])]);
      const queued = await createRunLauncher({ database, boss }).enqueue({
        flowId: 'actuals-to-planning', version: 1, environment: 'test', trigger: 'manual', requestedBy: 'tester',
        input: { kind: 'document', name: 'gl-lines.csv', bytes: FULL.csv() },
      });
      const run = await waitForRun(database.store, queued.id, 900_000);
      expectCellsOf(FULL, run);
      console.log(`chunks per worker process: ${JSON.stringify(Object.fromEntries(await chunksByWorker(database.store, run.id)))}`);
    } finally {
      await boss.stop({ graceful: false });
      await database.close();
    }
  }, 900_000);
});
