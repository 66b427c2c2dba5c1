// Entry of a preview worker thread: loads the TypeScript engine through tsx, then runs one job per message.
// It holds no connection: a test run's lookups ask the main thread for rows (preview-lookups.ts).
import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runPreviewJob } = await import('./preview-job.ts');
const { isLookupReply, proxyLookups } = await import('./preview-lookups.ts');
const { createEvaluatorRegistry } = await import('../evaluators.ts');
// This thread's evaluators, made once: compiled expressions are cached across its jobs.
const evaluators = createEvaluatorRegistry();
let lookups;
parentPort.on('message', async (msg) => {
  if (isLookupReply(msg)) {
    lookups?.receive(msg);
    return;
  }
  const { id, job } = msg;
  // Asks carry the job's id, so the pool answers them only while this job is current.
  lookups = msg.lookups ? proxyLookups((ask) => parentPort.postMessage({ id, ...ask })) : undefined;
  try {
    // The pool posts the job serialised (see preview-pool.ts).
    parentPort.postMessage({ id, ok: true, result: await runPreviewJob(deserialize(job), { evaluators, lookups }) });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
parentPort.postMessage({ ready: true });
