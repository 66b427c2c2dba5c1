/**
 * The audit log: who changed what, when, with the before and after state.
 * Append-only (the table refuses updates and deletes). Callers pass values
 * already stripped of secrets.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import { decodeCursor, pageLimit, toPage } from './pagination.ts';
import { isoOf, numberOf } from './row-values.ts';

type Row = Record<string, unknown>;

export type AuditEntity = 'login' | 'flow' | 'version' | 'deployment' | 'promotion' | 'connection' | 'user' | 'token' | 'dead-letter' | 'trigger' | 'reference-data' | 'run' | 'retention' | 'alert-rule' | 'alert' | 'subflow';

export interface AuditEntry {
  actor: string;
  action: string;
  entity: AuditEntity;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow extends Required<Omit<AuditEntry, 'before' | 'after'>> {
  id: number;
  at: string;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  /** Entries about one flow: the flow itself, its versions (`flow@n`), `flow/…` ids (deployments, triggers) and entries whose state names it (promotions). */
  flow?: string;
}

const toAudit = (r: Row): AuditRow => ({
  id: numberOf(r.id), at: isoOf(r.at), actor: r.actor as string, action: r.action as string,
  entity: r.entity as AuditEntity, entityId: r.entity_id as string, before: r.before ?? null, after: r.after ?? null,
});

/** Audit entries per insert statement. */
const APPEND_BATCH = 1000;

export function auditRepo(sql: SqlClient) {
  return {
    /** Appends entries; pass the transaction that made the change so both commit or neither. */
    async append(entries: AuditEntry | AuditEntry[], tx: SqlClient = sql): Promise<void> {
      const list = Array.isArray(entries) ? entries : [entries];
      // Many entries (a discard of 10,000 dead letters) go in a few multi-row statements, not one each.
      for (let i = 0; i < list.length; i += APPEND_BATCH) {
        const batch = list.slice(i, i + APPEND_BATCH);
        await tx.query(
          `insert into audit_log (actor, action, entity, entity_id, before, after)
           select e.actor, e.action, e.entity, e.entity_id, e.before, e.after
             from jsonb_to_recordset($1::jsonb) as e(ord int, actor text, action text, entity text, entity_id text, before jsonb, after jsonb)
            order by e.ord`,
          [JSON.stringify(batch.map((e, ord) => ({ ord, actor: e.actor, action: e.action, entity: e.entity, entity_id: e.entityId, before: e.before ?? null, after: e.after ?? null })))],
        );
      }
    },

    /** Newest first. */
    async list(filter: AuditFilter, page: { limit: number; cursor?: string }) {
      const limit = pageLimit(page.limit);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => { params.push(value); where.push(clause.replace('?', `$${params.length}`)); };
      if (filter.entity) add('entity = ?', filter.entity);
      if (filter.entityId) add('entity_id = ?', filter.entityId);
      if (filter.actor) add('actor = ?', filter.actor);
      if (filter.action) add('action = ?', filter.action);
      if (filter.since) add('at >= ?', filter.since);
      if (filter.until) add('at < ?', filter.until);
      if (filter.flow) {
        const escaped = filter.flow.replace(/[\\%_]/g, (c) => `\\${c}`);
        params.push(filter.flow, `${escaped}/%`, `${escaped}@%`);
        const [id, under, version] = [`$${params.length - 2}`, `$${params.length - 1}`, `$${params.length}`];
        where.push(`(entity_id = ${id} or entity_id like ${under} or entity_id like ${version} or after->>'flowId' = ${id} or before->>'flowId' = ${id})`);
      }
      if (page.cursor) add('id < ?', decodeCursor(page.cursor, ['number'])[0]);
      params.push(limit + 1);
      const { rows } = await sql.query(
        `select * from audit_log ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
        params,
      );
      return toPage(rows, limit, toAudit, (r) => [numberOf(r.id)]);
    },
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;
