/**
 * The server's way to run a preview (API routes, use cases of runtime/app):
 * in the preview worker pool, or in the calling thread when the app is built with another node catalog than the
 * standard one (a worker loads the standard catalog) or with
 * `previewInWorker: false`.
 */
import { catalog as defaultCatalog } from '../../nodes/catalog.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import type { EvaluatorRegistry } from '../evaluators.ts';
import { runPreviewJob, type PreviewJob } from './preview-job.ts';
import { previewPool } from './preview-pool.ts';
import type { ClosableLookupSource } from './preview-lookups.ts';

/** Grace beyond the job's own timeout before its worker is terminated. */
const KILL_GRACE_MS = 5_000;
/** Wall-clock limit of a preview without a timeout of its own (mapping tests). */
export const PREVIEW_LIMIT_MS = 30_000;

/** `lookups`: where a test run's lookups get rows (devLookups); absent: they are "not evaluated". */
export function runPreview(ctx: { catalog: NodeCatalog; evaluators: EvaluatorRegistry; deps: { previewInWorker?: boolean } }, job: PreviewJob, lookups?: ClosableLookupSource): Promise<unknown> {
  if (ctx.deps.previewInWorker === false || ctx.catalog !== defaultCatalog) return runPreviewJob(job, { evaluators: ctx.evaluators, catalog: ctx.catalog, lookups });
  const killAfterMs = ('timeoutMs' in job ? job.timeoutMs : PREVIEW_LIMIT_MS) + KILL_GRACE_MS;
  return previewPool().run(job, killAfterMs, lookups);
}
