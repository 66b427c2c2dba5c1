/** Connection bindings per environment; secret values are stored encrypted (the caller encrypts). */
import type { SqlClient } from '../../nodes/define-node.ts';
import type { ConnectionKind } from './store.ts';
import { isoOf } from './row-values.ts';

type Row = Record<string, unknown>;

export interface ConnectionRow {
  environment: string;
  name: string;
  kind: ConnectionKind;
  settings: Record<string, unknown>;
  /** Secret name → encrypted value. Never leaves the server. */
  encryptedSecrets: Record<string, string>;
  updatedAt: string;
  updatedBy: string | null;
}

const toConnection = (r: Row): ConnectionRow => ({
  environment: r.environment as string, name: r.name as string, kind: r.kind as ConnectionRow['kind'],
  settings: (r.settings ?? {}) as Record<string, unknown>, encryptedSecrets: (r.secrets ?? {}) as Record<string, string>,
  updatedAt: isoOf(r.updated_at), updatedBy: (r.updated_by as string | null) ?? null,
});

export function connectionsRepo(sql: SqlClient) {
  return {
    async listConnections(environment?: string): Promise<ConnectionRow[]> {
      const { rows } = environment
        ? await sql.query('select * from connections where environment = $1 order by name', [environment])
        : await sql.query('select * from connections order by environment, name');
      return rows.map(toConnection);
    },

    async getConnection(environment: string, name: string, tx: SqlClient = sql): Promise<ConnectionRow | null> {
      const { rows } = await tx.query('select * from connections where environment = $1 and name = $2', [environment, name]);
      return rows.length ? toConnection(rows[0]) : null;
    },

    async putConnection(c: Omit<ConnectionRow, 'updatedAt'>, tx: SqlClient = sql): Promise<ConnectionRow> {
      const { rows } = await tx.query(
        `insert into connections (environment, name, kind, settings, secrets, updated_by) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6)
         on conflict (environment, name) do update set kind = excluded.kind, settings = excluded.settings,
           secrets = excluded.secrets, updated_by = excluded.updated_by, updated_at = now()
         returning *`,
        [c.environment, c.name, c.kind, JSON.stringify(c.settings), JSON.stringify(c.encryptedSecrets), c.updatedBy],
      );
      return toConnection(rows[0]);
    },

    async deleteConnection(environment: string, name: string, tx: SqlClient = sql): Promise<boolean> {
      const { rowCount } = await tx.query('delete from connections where environment = $1 and name = $2', [environment, name]);
      return (rowCount ?? 0) > 0;
    },
  };
}

export type ConnectionsRepo = ReturnType<typeof connectionsRepo>;
