/**
 * The composition root of `ledgerflow serve`: the store (PGlite in the data
 * folder, or DATABASE_URL), the secret key, the durable queue with an
 * in-process worker, the scheduler, the daily trace-retention job, and the HTTP
 * app on PORT (default 8080).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { catalog } from '../nodes/catalog.ts';
import { createApp } from './api/create-app.ts';
import { ensureAdmin, loadExamples } from './api/bootstrap.ts';
import { createEnvironmentConnections } from './connectors/environment-connections.ts';
import { createFileSink } from './connectors/files.ts';
import { parseEnvironments } from './promotion/environments.ts';
import { startQueue } from './queue/start-queue.ts';
import { createSecretBox, loadSecretKey } from './secrets/secret-box.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import { startScheduler } from './triggers/scheduler.ts';
import { retentionPolicy, startRetentionJob } from './retention.ts';

export type Env = Record<string, string | undefined>;

export interface ServeOptions {
  env: Env;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Built designer; default dist/designer when it exists. */
  designerDir?: string | null;
  /** Import the example flows when the database has none (default: unless LEDGERFLOW_EXAMPLES=0). */
  examples?: boolean;
  /** Where messages for the operator go (the generated admin password, the address). */
  out?: (line: string) => void;
  /** Scheduler tick, ms (tests). */
  schedulerTickMs?: number;
  /** The store, already opened (`serve` opens it while it loads this module); closed by `close()`. */
  store?: Store;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_DATA_DIR = '.ledgerflow';

/** Starts everything and listens; `close()` stops the server, scheduler, queue and store, in that order. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { env } = options;
  const out = options.out ?? ((line: string) => console.log(line));
  const dataDir = resolve(env.LEDGERFLOW_DATA || DEFAULT_DATA_DIR);
  const environments = parseEnvironments(env.LEDGERFLOW_ENVIRONMENTS);
  const retention = retentionPolicy(env);
  const store = options.store ?? await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: resolve(dataDir, 'pgdata') });
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  const closeAll = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err) => console.error(`ledgerflow: while stopping: ${(err as Error).message}`));
  };
  try {
    const key = await loadSecretKey(env.LEDGERFLOW_SECRET_KEY, dataDir);
    if (key.created) out(`Created the secret key ${key.source} (keep it: stored secrets cannot be read without it).`);
    const secrets = createSecretBox(key.key);

    const admin = await ensureAdmin(store, env);
    if (admin.generatedPassword) out(`Created user 'admin' with password ${admin.generatedPassword} (shown once; set LEDGERFLOW_ADMIN_PASSWORD to choose it).`);
    else if (admin.created) out(`Created user 'admin' with the password from LEDGERFLOW_ADMIN_PASSWORD.`);
    if ((options.examples ?? env.LEDGERFLOW_EXAMPLES !== '0') && (await store.listFlows()).length === 0) {
      const loaded = await loadExamples(store, { dir: resolve(env.LEDGERFLOW_EXAMPLES_DIR || 'flows'), environment: environments[0].name, log: out });
      if (loaded.length) out(`Loaded ${loaded.length} example flow(s): ${loaded.map((l) => l.flowId).join(', ')} (deployed to ${environments[0].name}).`);
    }

    const connections = createEnvironmentConnections({ store, secrets, defaultEnvironment: environments[0].name });
    const files = createFileSink(resolve(env.LEDGERFLOW_OUT || resolve(dataDir, 'out')));
    cleanups.push(() => files.close());
    const queue = await startQueue({
      store, catalog, files, connectionsFor: connections.connectionsFor,
      worker: env.LEDGERFLOW_WORKER !== '0',
      onError: (err) => console.error(`ledgerflow queue: ${err.message}`),
    });
    cleanups.push(() => queue.stop());

    const scheduler = startScheduler({ store, launcher: queue.launcher, tickMs: options.schedulerTickMs, log: (m) => console.error(`ledgerflow ${m}`) });
    cleanups.push(() => scheduler.stop());
    const retentionJob = startRetentionJob({ store, policy: retention, log: (m) => console.error(`ledgerflow ${m}`) });
    cleanups.push(() => retentionJob.stop());

    const designerDir = options.designerDir !== undefined ? options.designerDir : existsSync(resolve('dist/designer/index.html')) ? resolve('dist/designer') : null;
    const app = createApp({
      store, launcher: queue.launcher, secrets, environments, designerDir,
      bodyLimitBytes: env.LEDGERFLOW_BODY_LIMIT ? Number(env.LEDGERFLOW_BODY_LIMIT) : undefined,
      sessionTtlMs: env.LEDGERFLOW_SESSION_HOURS ? Number(env.LEDGERFLOW_SESSION_HOURS) * 3600_000 : undefined,
    });

    const port = options.port ?? Number(env.PORT || 8080);
    const host = options.host ?? env.HOST ?? '0.0.0.0';
    const server = await new Promise<ReturnType<typeof serve>>((resolveServer, reject) => {
      const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolveServer(s));
      s.once('error', reject);
    });
    cleanups.push(() => new Promise<void>((done) => {
      server.close(() => done());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }));
    const actual = (server.address() as AddressInfo).port;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`;
    out(`Ledgerflow listening on ${url} (API reference: ${url}/api/docs; storage: ${env.DATABASE_URL ? 'Postgres' : `PGlite in ${dataDir}`})`);
    return { url, port: actual, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
