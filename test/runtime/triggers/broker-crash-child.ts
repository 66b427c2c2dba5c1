/**
 * A `serve`-like process for the crash test: the queue (without a worker) and
 * the broker consumers on a Postgres store; it SIGKILLs itself right after
 * the first batch's run was queued, before the broker hears an acknowledgement.
 * Argument: JSON `{ url, schema, key }` (key: the secret box key, base64).
 */
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { openPostgresDatabase } from '../../../runtime/store/open-store.ts';
import { startQueue } from '../../../runtime/queue/start-queue.ts';
import { startBrokerConsumers } from '../../../runtime/triggers/broker-consumers.ts';

const { url, schema, key } = JSON.parse(process.argv[2]) as { url: string; schema: string; key: string };
const database = await openPostgresDatabase({ connectionString: url, schema, poolSize: 2 });
const queue = await startQueue({ database, worker: false });
startBrokerConsumers({
  database, launcher: queue.launcher, secrets: createSecretBox(Buffer.from(key, 'base64')), refreshMs: 60_000,
  afterQueued: (runId, messages) => {
    process.stdout.write(`${JSON.stringify({ runId, messages })}\n`);
    process.kill(process.pid, 'SIGKILL');
  },
});
