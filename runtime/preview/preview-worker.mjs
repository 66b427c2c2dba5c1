// Entry of a preview worker thread: loads the TypeScript engine through tsx, then runs one job per message.
import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runPreviewJob } = await import('./preview-job.ts');
const { createEvaluatorRegistry } = await import('../evaluators.ts');
// This thread's evaluators, made once: compiled expressions are cached across its jobs.
const deps = { evaluators: createEvaluatorRegistry() };
parentPort.on('message', async ({ id, job }) => {
  try {
    // The pool posts the job serialised (see preview-pool.ts).
    parentPort.postMessage({ id, ok: true, result: await runPreviewJob(deserialize(job), deps) });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
parentPort.postMessage({ ready: true });
