/** Stored reference (master) data sets and source watermarks. */
import { sqlClientOf, type Db } from './db.ts';
import { referenceSetsRepo } from './reference-sets.ts';

export function referenceDataRepo(db: Db) {
  return {
    ...referenceSetsRepo(sqlClientOf(db)),

    async getWatermark(flowId: string, nodeId: string, environment: string): Promise<string | null> {
      const { rows } = await db.query<{ value: string }>(
        'select value from watermarks where flow_id = $1 and node_id = $2 and environment = $3',
        [flowId, nodeId, environment]);
      return rows.length ? rows[0].value : null;
    },

    async setWatermark(flowId: string, nodeId: string, environment: string, value: string): Promise<void> {
      await db.query(
        `insert into watermarks (flow_id, node_id, environment, value) values ($1, $2, $3, $4)
         on conflict (flow_id, node_id, environment) do update set value = excluded.value, updated_at = now()`,
        [flowId, nodeId, environment, value]);
    },
  };
}
