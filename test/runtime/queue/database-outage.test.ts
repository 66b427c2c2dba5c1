/**
 * The database going away mid-run (TEST_DATABASE_URL; skipped otherwise):
 * every connection of the Ledgerflow processes is cut again and again, in
 * turn by a TCP proxy in front of Postgres (which also refuses new connections
 * for a while, as during a restart) and by `pg_terminate_backend` (what an
 * administrator or a failover does). A `ledgerflow worker` process and an
 * in-process queue (what `serve` runs) keep running, wait for the database
 * and finish the run; the store answers again afterwards.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../runtime/store/database.ts';
import { openPostgresDatabase } from '../../../runtime/store/open-store.ts';
import { openBoss, type PgBoss } from '../../../runtime/queue/boss.ts';
import { createRunLauncher } from '../../../runtime/queue/launcher.ts';
import { tuningOf } from '../../../runtime/queue/queue-options.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { isConnectionError } from '../../../runtime/queue/database-outage.ts';
import { countTarget, dropSchemas, freshSchemaName, waitForRun } from './queue-fixtures.ts';
import { dropPostgresTargetDatabases } from '../../../runtime/store/target-databases.ts';
import { SCALE_TABLE, scaleInput, setUpScaleFlow, spawnWorker, type WorkerProcess } from './scale-fixtures.ts';

const url = process.env.TEST_DATABASE_URL;
const RECORDS = 4000;
const APP_NAME = `lf_outage_${process.pid}`;

/** A TCP proxy to Postgres that can drop every connection and refuse new ones for a while. */
class CuttableProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private refuseUntil = 0;
  cuts = 0;

  constructor(private readonly upstream: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (Date.now() < this.refuseUntil) {
        client.destroy();
        return;
      }
      const server = net.connect(this.upstream);
      for (const s of [client, server]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          server.destroy();
        });
      }
      client.pipe(server);
      server.pipe(client);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
  }

  cut(refuseMs: number): void {
    this.cuts++;
    this.refuseUntil = Date.now() + refuseMs;
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('connection errors', () => {
  it('tells a lost connection from a wrong statement', () => {
    expect(isConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isConnectionError(new Error('syntax error'))).toBe(false);
  });
});

describe.skipIf(!url)('a database that keeps dropping connections', () => {
  const schema = freshSchemaName('lf_outage');
  let proxy: CuttableProxy;
  let proxyUrl: string;
  let admin: Database;
  let app: Database;
  let boss: PgBoss;
  let queue: StartedQueue;
  let worker: WorkerProcess;
  const queueErrors: string[] = [];

  beforeAll(async () => {
    const u = new URL(url!);
    proxy = new CuttableProxy({ host: u.hostname, port: Number(u.port || 5432) });
    u.port = String(await proxy.listen());
    // Named, so that only this test's connections are terminated (other tests share the server).
    u.searchParams.set('application_name', APP_NAME);
    proxyUrl = u.toString();
    // This process's own view, straight to Postgres: sets up, queues the run and checks the result.
    admin = await openPostgresDatabase({ connectionString: url!, schema, poolSize: 2 });
    await setUpScaleFlow(admin);
    boss = await openBoss(admin, { tuning: tuningOf(), supervise: false });
    // What `serve` runs (store, pg-boss, worker), and a `ledgerflow worker` process, all through the proxy.
    app = await openPostgresDatabase({ connectionString: proxyUrl, schema, poolSize: 4 });
    queue = await startQueue({ database: app, tuning: { chunkSize: 100, superviseIntervalSeconds: 1 }, onError: (e) => queueErrors.push(e.message) });
    worker = await spawnWorker(proxyUrl, schema);
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
    await worker?.exited;
    await queue?.stop().catch(() => {});
    await app?.close().catch(() => {});
    await boss?.stop({ graceful: false });
    await admin?.close();
    await proxy?.close();
    await dropSchemas(url!, [schema, `${schema}_jobs`]);
    await dropPostgresTargetDatabases(url!, schema);
  }, 60_000);

  it('keeps the processes running through repeated cuts and finishes the run', async () => {
    const launcher = createRunLauncher({ database: admin, boss });
    const queued = await launcher.enqueue({
      flowId: 'scale-out', version: 1, environment: 'test', trigger: 'manual', input: scaleInput(RECORDS, 'o'), requestedBy: 'outage-test',
    });
    const started = Date.now();
    let finished = false;
    let refusedWhileDown = false;
    let terminated = 0;
    const cutting = (async () => {
      // At least two of each, even if the run is quick: the processes must survive them either way.
      for (let i = 0; i < 8 && (i < 4 || !finished); i++) {
        await new Promise((r) => setTimeout(r, i === 0 ? 300 + Math.random() * 300 : 1000 + Math.random() * 800));
        if (i % 2 === 1) proxy.cut(800);
        else {
          const { rows } = await admin.store.sql.query<{ n: unknown }>(
            'select count(pg_terminate_backend(pid)) as n from pg_stat_activity where application_name = $1', [APP_NAME]);
          terminated += Number(rows[0].n);
        }
        // Meanwhile the store answers with an error (what /readyz turns into a 503), never hangs.
        refusedWhileDown ||= await app.store.sql.query('select 1').then(() => false, () => true);
      }
    })();
    const run = await waitForRun(admin.store, queued.id, 240_000);
    finished = true;
    await cutting;
    // Past the last refusal window, and time for a process that was going to crash to do so.
    await new Promise((r) => setTimeout(r, 1500));
    console.log(`[outage] ${proxy.cuts} proxy cuts, ${terminated} backends terminated; run ${run.status} after ${Math.round((Date.now() - started) / 1000)} s; ${queueErrors.length} errors reported by the in-process queue`);

    expect(proxy.cuts).toBeGreaterThanOrEqual(2);
    expect(terminated).toBeGreaterThan(0);
    expect(refusedWhileDown).toBe(true);
    expect(worker.child.exitCode).toBeNull();
    expect(worker.child.signalCode).toBeNull();
    expect(run.status).not.toBe('failed');
    expect(run.counts.read).toBe(RECORDS);
    // Nothing lost, nothing twice: every record is in the target once, or (when the cuts outlasted a write's
    // retries) in the dead-letter store, replayable; the run's figures say which.
    const rows = await countTarget(admin, `select count(*) as n from ${SCALE_TABLE} where id like 'o%'`);
    expect(await countTarget(admin, `select count(distinct id) as n from ${SCALE_TABLE} where id like 'o%'`)).toBe(rows);
    const { rows: letters } = await admin.store.sql.query<{ n: unknown }>(`select count(*) as n from dead_letters where run_id = $1 and status = 'open'`, [run.id]);
    expect(rows + Number(letters[0].n)).toBe(RECORDS);
    expect(run.counts.delivered + run.counts.duplicate).toBe(rows);
    // And the app's store works again once the database is back.
    expect((await app.store.sql.query('select 1 as one')).rows[0]).toEqual({ one: 1 });
  }, 300_000);
});
