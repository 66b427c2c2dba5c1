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
import { createEvaluatorRegistry } from './evaluators.ts';
import { createApp } from './api/create-app.ts';
import { ensureAdmin, loadExamples } from './app/bootstrap.ts';
import { createEnvironmentConnections } from './connectors/environment-connections.ts';
import { createFileSink } from './connectors/files.ts';
import { startQueue } from './queue/start-queue.ts';
import { createSecretBox, loadSecretKey } from './secrets/secret-box.ts';
import { openDatabase } from './store/open-store.ts';
import type { Database } from './store/database.ts';
import { startScheduler } from './triggers/scheduler.ts';
import { startAlertService, type AlertService } from './alerts/alert-service.ts';
import { startBrokerConsumers } from './triggers/broker-consumers.ts';
import { retentionPolicy, startRetentionJob } from './app/retention.ts';
import { runtimeFetch } from './connectors/http-client.ts';
import { parseSettings, type Settings } from './settings.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { loadRunTracing } from './observability/load-tracing.ts';

export type Env = Record<string, string | undefined>;

export interface ServeOptions {
  /** Parsed settings (the CLI parses them once); otherwise parsed here from `env`. */
  settings?: Settings;
  env?: Env;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Built designer; default dist/designer when it exists. */
  designerDir?: string | null;
  /** Import the example flows when the database has none (default: the LEDGERFLOW_EXAMPLES setting). */
  examples?: boolean;
  /** Where messages for the operator go (the generated admin password, the address). */
  out?: (line: string) => void;
  /** Where log lines go; default: as the settings say (LEDGERFLOW_LOG_LEVEL, LEDGERFLOW_LOG_FORMAT), to stderr. */
  logger?: Logger;
  /** Scheduler tick, ms (tests). */
  schedulerTickMs?: number;
  /** Milliseconds between alert checks (aged dead letters, silent sources, retries); default 60 000. */
  alertTickMs?: number;
  /** The database, already opened (`serve` opens it while it loads this module); closed by `close()`. */
  database?: Database;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts everything and listens; `close()` stops the server, scheduler, queue and store, in that order. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const settings = options.settings ?? parseSettings(options.env ?? {});
  const logger = options.logger ?? createLogger({ level: settings.logLevel, format: settings.logFormat });
  const out = options.out ?? ((line: string) => logger.info(line));
  const metrics = createMetrics({ processMetrics: true });
  const tracing = await loadRunTracing(settings.otlpEndpoint);
  const dataDir = resolve(settings.dataDir);
  const { environments } = settings;
  const retention = retentionPolicy(settings.retention);
  const database = options.database ?? await openDatabase({ databaseUrl: settings.databaseUrl, schema: settings.dbSchema, dataDir: resolve(dataDir, 'pgdata') });
  const { store } = database;
  const cleanups: (() => Promise<void>)[] = [() => database.close()];
  if (tracing) cleanups.push(() => tracing.shutdown());
  const closeAll = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err) => logger.error({ err }, `while stopping: ${(err as Error).message}`));
  };
  try {
    const key = await loadSecretKey(settings.secretKey, dataDir);
    if (key.created) out(`Created the secret key ${key.source} (keep it: stored secrets cannot be read without it).`);
    const secrets = createSecretBox(key.key);

    const admin = await ensureAdmin(database.service, settings.adminPassword);
    if (admin.generatedPassword) out(`Created user 'admin' with password ${admin.generatedPassword} (shown once; set LEDGERFLOW_ADMIN_PASSWORD to choose it).`);
    else if (admin.created) out(`Created user 'admin' with the password from LEDGERFLOW_ADMIN_PASSWORD.`);
    // The process's JSONata evaluators: one registry, handed to the examples, the queue's worker and the API.
    const evaluators = createEvaluatorRegistry();
    if ((options.examples ?? settings.examples) && (await store.listFlows()).length === 0) {
      const loaded = await loadExamples(database, { evaluators, dir: resolve(settings.examplesDir), environment: environments[0].name, log: out });
      if (loaded.length) out(`Loaded ${loaded.length} example flow(s): ${loaded.map((l) => l.flowId).join(', ')} (deployed to ${environments[0].name}).`);
    }

    const connections = createEnvironmentConnections({ database, secrets, defaultEnvironment: environments[0].name });
    const files = createFileSink(resolve(settings.outDir ?? resolve(dataDir, 'out')));
    cleanups.push(() => files.close());
    // Started once the server's address is known (the links in alerts); runs that end before then are found by its first tick.
    let alerts: AlertService | null = null;
    const outbound = runtimeFetch({ client: settings.httpClient, outboundHosts: settings.outboundHosts });
    const queue = await startQueue({
      database, catalog, evaluators, files, connectionsFor: connections.connectionsFor,
      onRunFinished: (run) => { alerts?.runEnded(run.id).catch((err) => logger.error({ err, runId: run.id }, `alerts: ${(err as Error).message}`)); },
      worker: settings.worker, fetch: outbound,
      logger: logger.child({ component: 'queue' }), metrics, tracing,
    });
    cleanups.push(() => queue.stop());

    const scheduler = startScheduler({ store, repos: database.service, launcher: queue.launcher, tickMs: options.schedulerTickMs, logger: logger.child({ component: 'scheduler' }) });
    cleanups.push(() => scheduler.stop());
    // Broker sources of deployed flows: a consumer each, per environment (see broker-consumers.ts).
    const consumers = startBrokerConsumers({ database, launcher: queue.launcher, secrets, logger: logger.child({ component: 'brokers' }) });
    cleanups.push(() => consumers.stop());
    const retentionJob = startRetentionJob({ store, audit: database.service.audit, policy: retention, logger: logger.child({ component: 'retention' }) });
    cleanups.push(() => retentionJob.stop());

    const designerDir = options.designerDir !== undefined ? options.designerDir : existsSync(resolve('dist/designer/index.html')) ? resolve('dist/designer') : null;
    const app = createApp({
      database, launcher: queue.launcher, secrets, evaluators, environments, promotionOrder: settings.promotionOrder, designerDir, fetch: outbound,
      bodyLimitBytes: settings.bodyLimitBytes,
      sessionTtlMs: settings.sessionHours * 3600_000,
      logger, metrics, metricsSampleSeconds: settings.metricsSampleSeconds,
    });

    const port = options.port ?? settings.port;
    const host = options.host ?? settings.host;
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
    alerts = startAlertService({
      database, secrets, publicUrl: settings.publicUrl ?? url, fetch: outbound, tickMs: options.alertTickMs, logger: logger.child({ component: 'alerts' }),
    });
    const started = alerts;
    cleanups.push(() => started.stop());
    out(`Ledgerflow listening on ${url} (API reference: ${url}/api/docs; storage: ${settings.databaseUrl ? 'Postgres' : `PGlite in ${dataDir}`})`);
    return { url, port: actual, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
