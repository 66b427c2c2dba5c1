/** The source records an environment processed for a flow, as its traces kept them (for the release impact preview). */
import type { SqlClient } from '../../nodes/define-node.ts';

export function recordedInputsRepo(sql: SqlClient) {
  return {
    /** Up to `limit` traced inputs of the flow in the environment, newest first (repeats included). */
    async latestInputs(flowId: string, environment: string, limit: number): Promise<{ sourceKey: string; input: unknown }[]> {
      const { rows } = await sql.query<{ source_key: string; input: unknown }>(
        'select source_key, input from record_traces where flow_id = $1 and environment = $2 and input is not null order by id desc limit $3',
        [flowId, environment, limit],
      );
      return rows.map((r) => ({ sourceKey: r.source_key, input: r.input }));
    },
  };
}

export type RecordedInputsRepo = ReturnType<typeof recordedInputsRepo>;
