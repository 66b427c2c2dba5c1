/** The Store, written once over a Db: the same SQL for PGlite and Postgres. */
import type { Db } from './db.ts';
import { sqlClientOf } from './db.ts';
import type { Store } from './store.ts';
import { migrate } from './migrate.ts';
import { flowsRepo } from './flows-repo.ts';
import { runsRepo } from './runs-repo.ts';
import { tracesRepo } from './traces-repo.ts';
import { deadLettersRepo } from './dead-letters-repo.ts';
import { createLedger } from './ledger.ts';
import { createKeyedStateStore } from './keyed-state.ts';
import { referenceDataRepo } from './reference-data.ts';
import { createTraceSink } from './trace-sink.ts';
import { retentionRepo } from './retention-repo.ts';

/** Builds the Store over `db`; `schema` is the Postgres schema it lives in, if not the default. */
export function createSqlStore(db: Db, options: { schema?: string } = {}): Store {
  return {
    kind: db.kind,
    sql: sqlClientOf(db),
    migrate: async () => { await migrate(db, { schema: options.schema }); },
    close: () => db.close(),
    ...flowsRepo(db),
    ...runsRepo(db),
    openTraceSink: (sinkOptions) => createTraceSink(db, sinkOptions),
    ...tracesRepo(db),
    ...deadLettersRepo(db),
    ledger: createLedger(db),
    keyedState: createKeyedStateStore(db),
    ...referenceDataRepo(db),
    ...retentionRepo(db),
  };
}
