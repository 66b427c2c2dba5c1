/** What the split and chunk job handlers of one worker process share. */
import type { FileSink } from '../../nodes/define-node.ts';
import type { CrashPoint } from '../engine/run-types.ts';
import type { Db } from '../store/db.ts';
import type { RunRow, Store } from '../store/store.ts';
import type { PgBoss } from './boss.ts';
import type { CancelWatch } from './cancel-watch.ts';
import type { FlowCache } from './flow-cache.ts';
import type { QueueTuning } from './queue-options.ts';
import type { SplitPriority } from './split-priority.ts';
import type { WorkTelemetry } from '../observability/work-telemetry.ts';

/** Test seams: simulate a crash at the worst moments. */
export interface QueueHooks {
  /** Called after a chunk's records went through the graph (targets written) and before its transaction commits. */
  beforeChunkCommit?(info: { runId: string; chunkNo: number; attempt: number }): void | Promise<void>;
  /**
   * Called after a chunk's transaction committed and before the worker finishes the run: throwing there is a
   * worker that lost the database (or died) between the two.
   */
  afterChunkCommit?(info: { runId: string; chunkNo: number; attempt: number }): void | Promise<void>;
  /** Called after the split stored a batch of chunks and queued their jobs. */
  afterChunksStored?(info: { runId: string; chunksSoFar: number; last: boolean }): void | Promise<void>;
  /** Called at each crash point of each target write of a chunk (see CrashPoint); throwing there stops the chunk. */
  crashPoint?(point: CrashPoint, info: { runId: string; chunkNo: number; attempt: number; nodeId: string; batch: number }): void | Promise<void>;
}

export interface WorkerContext {
  store: Store;
  db: Db;
  boss: PgBoss;
  tuning: QueueTuning;
  flows: FlowCache;
  files: FileSink;
  fetch: typeof fetch;
  workerId: string;
  cancels: CancelWatch;
  /** Lets this process's split go before its chunks (split-priority.ts). */
  splits: SplitPriority;
  hooks: QueueHooks;
  /** Log lines, metrics and spans of the work as it happens. */
  telemetry: WorkTelemetry;
  /** Called once per run, by the worker that finished it. */
  onRunFinished(run: RunRow): void;
  counters: { chunksDone: number; recordsDone: number };
}
