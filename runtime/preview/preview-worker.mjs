// Entry of a preview worker thread: loads the TypeScript engine through tsx, then runs one job per message.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runPreviewJob } = await import('./preview-job.ts');
parentPort.on('message', async ({ id, job }) => {
  try {
    parentPort.postMessage({ id, ok: true, result: await runPreviewJob(job) });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
parentPort.postMessage({ ready: true });
