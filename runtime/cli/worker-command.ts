/**
 * `ledgerflow worker`: a process that takes run and chunk jobs from the queue
 * until it is told to stop (SIGTERM/SIGINT), then finishes the chunks in hand.
 * Start as many as the database can feed, on as many machines as you like.
 * Like `serve`, it binds each run's connections to the settings and secrets
 * stored for the run's environment, so it needs the server's secret key.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlowError } from '../../nodes/errors.ts';
import { createEnvironmentConnections } from '../connectors/environment-connections.ts';
import { createFileSink } from '../connectors/files.ts';
import { createSecretBox, loadSecretKey, type SecretBox } from '../secrets/secret-box.ts';
import { CliError } from './cli-error.ts';
import type { CommandDefinition } from './commands.ts';
import { openConfiguredDatabase } from './environment.ts';
import { runtimeFetch } from '../connectors/http-client.ts';
import type { Settings } from '../settings.ts';
import { loadRunTracing } from '../observability/load-tracing.ts';
import { coresOption, startWorkerHelpers, stopRequested, type WorkerHelpers } from './worker-processes.ts';

function wholeNumber(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a whole number ≥ 1, not '${value}'`, 64);
  return n;
}

/** Stands in for the secret box when this worker has no key: runs needing no secret still work. */
const NO_KEY_BOX: SecretBox = {
  encrypt() {
    throw new Error('This worker has no secret key.');
  },
  decrypt(_boxed, context) {
    // Permanent: retrying on this worker cannot help, so the run fails at once with the reason.
    throw new FlowError('permanent', `The secret for ${context} cannot be read: this worker has no secret key. Start it with LEDGERFLOW_SECRET_KEY set to the server's key (or LEDGERFLOW_DATA pointing at the folder holding its secret.key).`);
  },
};

/**
 * The server's secret key, from LEDGERFLOW_SECRET_KEY or `<LEDGERFLOW_DATA>/secret.key`.
 * Unlike `serve`, a worker never makes a key: one of its own would not open the server's secrets.
 */
export async function workerSecrets(settings: Settings): Promise<{ box: SecretBox; source: string | null }> {
  const dataDir = resolve(settings.dataDir);
  if (!settings.secretKey && !existsSync(join(dataDir, 'secret.key'))) return { box: NO_KEY_BOX, source: null };
  try {
    const key = await loadSecretKey(settings.secretKey, dataDir);
    return { box: createSecretBox(key.key), source: key.source };
  } catch (err) {
    throw new CliError(`ledgerflow worker: ${(err as Error).message}`, 78);
  }
}

export const WORKER_COMMANDS: Record<string, CommandDefinition> = {
  worker: {
    options: { concurrency: { type: 'string' }, 'chunk-size': { type: 'string' }, out: { type: 'string' }, 'metrics-port': { type: 'string' }, cores: { type: 'string' } },
    async run(ctx) {
      const concurrency = wholeNumber(ctx.values.concurrency, 'concurrency', 2);
      const chunkSize = wholeNumber(ctx.values['chunk-size'], 'chunk-size', 500);
      const metricsPort = ctx.values['metrics-port'] === undefined ? null : wholeNumber(ctx.values['metrics-port'], 'metrics-port', 0);
      const cores = coresOption(ctx.values.cores);
      // Loaded here: the queue, logger and metrics are not every command's start-up cost.
      const [{ createWorker }, { createLogger }, { createMetrics }, { serveMetrics }] = await Promise.all([
        import('../queue/worker.ts'), import('../observability/logger.ts'), import('../observability/metrics.ts'), import('../observability/metrics-server.ts'),
      ]);
      const logger = createLogger({ level: ctx.settings.logLevel, format: ctx.settings.logFormat });
      const { environments } = ctx.settings;
      const secrets = await workerSecrets(ctx.settings);
      const database = await openConfiguredDatabase(ctx.settings);
      const { store } = database;
      if (store.kind === 'pglite' && cores > 1) {
        await database.close();
        throw new CliError('--cores needs a Postgres server (DATABASE_URL): the embedded database (PGlite) belongs to one process.', 64);
      }
      if (store.kind === 'pglite') {
        logger.warn('the embedded database (PGlite) belongs to one process; more workers need a Postgres server (DATABASE_URL). `ledgerflow serve` already runs a worker.');
      }
      if (!secrets.source) {
        logger.warn('no secret key (LEDGERFLOW_SECRET_KEY, or secret.key in LEDGERFLOW_DATA): runs whose connections need a stored secret will fail.');
      }
      const connections = createEnvironmentConnections({ database, secrets: secrets.box, defaultEnvironment: environments[0].name });
      const files = createFileSink(resolve((ctx.values.out as string | undefined) ?? ctx.settings.outDir ?? 'out'));
      const metrics = createMetrics({ processMetrics: true });
      const tracing = await loadRunTracing(ctx.settings.otlpEndpoint);
      const worker = createWorker({
        database, evaluators: ctx.evaluators, files, concurrency, tuning: { chunkSize }, connectionsFor: connections.connectionsFor, fetch: runtimeFetch({ client: ctx.settings.httpClient, outboundHosts: ctx.settings.outboundHosts }),
        logger, metrics, tracing,
      });
      const metricsServer = metricsPort === null ? null : await serveMetrics(metrics.registry, metricsPort, ctx.settings.host);
      let helpers: WorkerHelpers | undefined;
      try {
        await worker.start();
        // The other cores: helper processes of this same command on the same queue.
        if (cores > 1) helpers = startWorkerHelpers(cores - 1, process.argv.slice(2));
        logger.info({ workerId: worker.id, store: store.kind, schema: ctx.settings.dbSchema, concurrency, metricsPort: metricsServer?.port, cores, helperPids: helpers?.pids },
          `ledgerflow worker ${worker.id} started (${store.kind}${ctx.settings.dbSchema ? `, schema ${ctx.settings.dbSchema}` : ''}, concurrency ${concurrency}${metricsServer ? `, metrics on port ${metricsServer.port}` : ''}${cores > 1 ? `, ${cores} cores: helper processes ${helpers!.pids.join(', ')}` : ''})`);
        const signal = await stopRequested();
        logger.info({ workerId: worker.id, signal }, `${signal}: finishing the chunks in hand…`);
      } finally {
        await Promise.all([worker.stop(), helpers?.stop()]);
        await metricsServer?.close();
        await tracing?.shutdown();
        await files.close();
        await database.close();
      }
      const { chunksDone, recordsDone } = worker.counters();
      logger.info({ workerId: worker.id, chunksDone, recordsDone }, `ledgerflow worker ${worker.id} stopped after ${chunksDone} chunk(s), ${recordsDone} record(s)`);
      return 0;
    },
  },
};
