/** Sample documents stored with a flow, for test runs and previews in the designer. */
import type { SqlClient } from '../../nodes/define-node.ts';
import { isoOf, numberOf } from './row-values.ts';

export function samplesRepo(sql: SqlClient) {
  return {
    async putSample(flowId: string, name: string, content: Uint8Array): Promise<void> {
      await sql.query(
        `insert into flow_samples (flow_id, name, content) values ($1, $2, $3)
         on conflict (flow_id, name) do update set content = excluded.content, created_at = now()`,
        [flowId, name, content],
      );
    },

    async getSample(flowId: string, name: string): Promise<Uint8Array | null> {
      const { rows } = await sql.query<{ content: Uint8Array }>('select content from flow_samples where flow_id = $1 and name = $2', [flowId, name]);
      return rows.length ? new Uint8Array(rows[0].content) : null;
    },

    async listSamples(flowId: string): Promise<{ name: string; size: number; createdAt: string }[]> {
      const { rows } = await sql.query('select name, octet_length(content) as size, created_at from flow_samples where flow_id = $1 order by name', [flowId]);
      return rows.map((r) => ({ name: r.name as string, size: numberOf(r.size), createdAt: isoOf(r.created_at) }));
    },
  };
}

export type SamplesRepo = ReturnType<typeof samplesRepo>;
