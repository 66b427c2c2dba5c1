/** What the use cases of runtime/app work with: the one database handle and the run launcher. */
import type { Database } from '../store/database.ts';
import type { RunLauncher } from '../queue/run-launcher.ts';

export interface UseCaseDeps {
  database: Database;
  /** Starts runs on the durable queue (server) or the in-process one (CLI). */
  launcher: RunLauncher;
}
