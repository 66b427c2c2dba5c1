/**
 * `ledgerflow worker`: a process that takes run and chunk jobs from the queue
 * until it is told to stop (SIGTERM/SIGINT), then finishes the chunks in hand.
 * Start as many as the database can feed, on as many machines as you like.
 */
import { resolve } from 'node:path';
import type { RunRow } from '../store/store.ts';
import { createWorker } from '../queue/worker.ts';
import { createFileSink } from '../connectors/files.ts';
import { CliError } from './cli-error.ts';
import type { CommandDefinition } from './commands.ts';
import { openStoreFromEnv } from './environment.ts';
import { countsLine } from './format.ts';

function wholeNumber(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a whole number ≥ 1, not '${value}'`, 64);
  return n;
}

/** One line per finished run, with its throughput. */
export function runLine(run: RunRow): string {
  const seconds = run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
  const rate = seconds && seconds > 0 ? ` · ${Math.round(run.counts.read / seconds)} records/s` : '';
  const error = run.error && run.status !== 'succeeded' ? ` · ${run.error.message.split('\n')[0]}` : '';
  return `run ${run.id} ${run.flowId} v${run.version ?? '-'} ${run.status}: ${countsLine(run.counts)}${seconds !== null ? ` · ${seconds.toFixed(1)} s` : ''}${rate}${error}`;
}

export const WORKER_COMMANDS: Record<string, CommandDefinition> = {
  worker: {
    options: { concurrency: { type: 'string' }, 'chunk-size': { type: 'string' }, out: { type: 'string' } },
    async run(ctx) {
      const concurrency = wholeNumber(ctx.values.concurrency, 'concurrency', 2);
      const chunkSize = wholeNumber(ctx.values['chunk-size'], 'chunk-size', 500);
      const store = await openStoreFromEnv(ctx.env);
      if (store.kind === 'pglite') {
        ctx.err('ledgerflow worker: the embedded database (PGlite) belongs to one process; more workers need a Postgres server (DATABASE_URL). `ledgerflow serve` already runs a worker.');
      }
      const files = createFileSink(resolve((ctx.values.out as string | undefined) ?? ctx.env.LEDGERFLOW_OUT ?? 'out'));
      const worker = createWorker({
        store, files, concurrency, tuning: { chunkSize },
        onRunFinished: (run) => ctx.out(runLine(run)),
        onError: (err) => ctx.err(`ledgerflow worker: ${err.message}`),
      });
      try {
        await worker.start();
        ctx.out(`ledgerflow worker ${worker.id} started (${store.kind}${ctx.env.LEDGERFLOW_DB_SCHEMA ? `, schema ${ctx.env.LEDGERFLOW_DB_SCHEMA}` : ''}, concurrency ${concurrency})`);
        const signal = await new Promise<string>((done) => {
          process.once('SIGTERM', () => done('SIGTERM'));
          process.once('SIGINT', () => done('SIGINT'));
        });
        ctx.out(`ledgerflow worker ${worker.id}: ${signal}, finishing the chunks in hand…`);
      } finally {
        await worker.stop();
        await files.close();
        await store.close();
      }
      const { chunksDone, recordsDone } = worker.counters();
      ctx.out(`ledgerflow worker ${worker.id} stopped after ${chunksDone} chunk(s), ${recordsDone} record(s)`);
      return 0;
    },
  },
};
