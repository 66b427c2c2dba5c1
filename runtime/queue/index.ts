/** Durable execution on pg-boss: launcher, workers and the pieces `serve` and the CLI wire together. */
export type { RunLauncher, RunRequest, QueuedRunInput } from './run-launcher.ts';
export { startQueue, type StartQueueOptions, type StartedQueue } from './start-queue.ts';
export { createWorker, type QueueWorker, type WorkerOptions } from './worker.ts';
export { createRunLauncher, type LauncherOptions } from './launcher.ts';
export { openBoss, bossSchemaFor, type BossOptions } from './boss.ts';
export { defaultConnectionsFor } from './default-connections.ts';
export type { ConnectionsFor, ClosableConnections } from './flow-cache.ts';
export { QUEUE_NAMES, DEFAULT_TUNING, type QueueTuning } from './queue-options.ts';
export { finishedStatus, runTotals } from './run-totals.ts';
export type { QueueHooks } from './worker-context.ts';
