/**
 * The split job goes first in its own process. JavaScript runs one thing at a
 * time per process: a chunk computes its records for a hundred milliseconds and
 * more between two awaits, while the split hands the event loop back after
 * every 64 KiB slice of input. Left alone, the chunks this process works take
 * nearly all its time, the split crawls, and the other processes on the queue
 * (`--cores`, other workers) run out of chunks and wait for it.
 *
 * So while a split runs here, each chunk loop of this process takes its next
 * chunk only after the split stored another batch of chunks (or ended, or
 * `maxWaitMs` passed: a split waiting on a slow source does not hold the
 * chunks up for long). The split gets most of the process; what it leaves goes
 * to chunks, and the other processes always find work. With one process the
 * run does the same work in a different order.
 */
export class SplitPriority {
  private running = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly maxWaitMs = 1000) {}

  /** A split starts in this process: call `end()` when it is over, whatever happened. */
  begin(): { stored(): void; end(): void } {
    this.running++;
    let ended = false;
    return {
      stored: () => this.release(),
      end: () => {
        if (ended) return;
        ended = true;
        this.running--;
        this.release();
      },
    };
  }

  /** Awaited before a chunk job: resolves at once unless a split is running in this process. */
  beforeChunk(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.maxWaitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private release(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const done of waiting) done();
  }
}
