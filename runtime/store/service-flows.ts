/**
 * What the flow screens ask beyond the core store's flows and versions: the
 * latest version of each flow, and deleting a flow with its versions.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import { numberOf } from './row-values.ts';

export function flowAdminRepo(sql: SqlClient) {
  return {
    /** The highest version number of each flow that has one. */
    async latestVersions(): Promise<Map<string, number>> {
      const { rows } = await sql.query<{ flow_id: string; latest: unknown }>('select flow_id, max(version) as latest from flow_versions group by flow_id');
      return new Map(rows.map((r) => [r.flow_id, numberOf(r.latest)]));
    },

    /** Deletes the flow, its versions and their test results (inside `tx` when given). */
    async deleteFlow(flowId: string, tx: SqlClient = sql): Promise<void> {
      await tx.query('delete from version_test_results where flow_id = $1', [flowId]);
      await tx.query('delete from flow_versions where flow_id = $1', [flowId]);
      await tx.query('delete from flows where id = $1', [flowId]);
    },
  };
}

export type FlowAdminRepo = ReturnType<typeof flowAdminRepo>;
