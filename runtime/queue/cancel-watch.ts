/**
 * Tells a worker's in-flight chunks that their run was cancelled (or failed
 * elsewhere): one query a second for the runs this worker is busy with, and an
 * AbortSignal per run that the engine checks between target batches.
 */
import type { JobsRepo } from '../store/jobs-repo.ts';

interface Watched {
  controller: AbortController;
  users: number;
}

export class CancelWatch {
  private readonly runs = new Map<string, Watched>();

  constructor(private readonly jobs: Pick<JobsRepo, 'stoppedRuns'>) {}

  /** A signal aborted when the run ends while this worker is working on it. */
  watch(runId: string): { signal: AbortSignal; release(): void } {
    let w = this.runs.get(runId);
    if (!w) this.runs.set(runId, (w = { controller: new AbortController(), users: 0 }));
    w.users++;
    const held = w;
    let released = false;
    return {
      signal: held.controller.signal,
      release: () => {
        if (released) return;
        released = true;
        if (--held.users === 0 && this.runs.get(runId) === held) this.runs.delete(runId);
      },
    };
  }

  /** Checks the watched runs once; aborts those that were cancelled or failed. */
  async poll(): Promise<void> {
    const ids = [...this.runs.keys()];
    if (!ids.length) return;
    for (const r of await this.jobs.stoppedRuns(ids)) {
      const w = this.runs.get(r.id);
      if (w && !w.controller.signal.aborted) w.controller.abort(new Error(`run ${r.id} was ${r.status}`));
    }
  }
}
