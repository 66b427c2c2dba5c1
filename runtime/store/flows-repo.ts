/** Flows (editable drafts) and their immutable, numbered versions. */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { Db, Row } from './db.ts';
import type { DraftChange, FlowRow, VersionRow } from './store.ts';
import { documentHash } from './canonical-json.ts';
import { isoOf, numberOf } from './row-values.ts';

function toFlow(r: Row): FlowRow {
  return {
    id: r.id as string,
    name: r.name as string,
    description: (r.description as string | null) ?? null,
    draft: r.draft as FlowDocument,
    revision: numberOf(r.draft_revision),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    updatedBy: (r.updated_by as string | null) ?? null,
  };
}

function toVersion(r: Row): VersionRow {
  return {
    flowId: r.flow_id as string,
    version: numberOf(r.version),
    document: r.document as FlowDocument,
    hash: r.hash as string,
    author: r.author as string,
    message: r.message as string,
    createdAt: isoOf(r.created_at),
  };
}

function checkDocument(doc: FlowDocument): void {
  if (!doc || typeof doc.id !== 'string' || doc.id.trim() === '') {
    throw new Error('The flow document has no id; give the flow an id before saving it.');
  }
  if (typeof doc.name !== 'string') throw new Error(`Flow "${doc.id}" has no name; give it a name before saving it.`);
}

/** A draft save based on a revision that is no longer the latest: someone saved the draft since. */
export class DraftConflictError extends Error {
  constructor(readonly current: FlowRow, readonly basedOnRevision: number) {
    super(`The draft of flow "${current.id}" was saved by ${current.updatedBy ?? 'someone else'} at ${current.updatedAt} (revision ${current.revision}) after revision ${basedOnRevision}, which this change is based on; reload it or overwrite it.`);
    this.name = 'DraftConflictError';
  }
}

export function flowsRepo(db: Db) {
  return {
    /**
     * Saves the draft and records who changed it (every save counts for four-eyes). With
     * `basedOnRevision`, only over that revision: the check and the write are one statement, so of
     * two saves based on one revision exactly one wins and the other gets `DraftConflictError`.
     * The document is stored as written (json, not jsonb), so its object keys keep their order.
     */
    async saveDraft(doc: FlowDocument, user: string | null, basedOnRevision?: number): Promise<FlowRow> {
      checkDocument(doc);
      return db.transaction(async (tx) => {
        const params = [doc.id, doc.name, doc.description ?? null, JSON.stringify(doc), user];
        const { rows } = basedOnRevision === undefined
          ? await tx.query(
            `insert into flows (id, name, description, draft, updated_by)
             values ($1, $2, $3, $4::json, $5)
             on conflict (id) do update set name = excluded.name, description = excluded.description,
               draft = excluded.draft, updated_by = excluded.updated_by, updated_at = now(), draft_revision = flows.draft_revision + 1
             returning *`,
            params,
          )
          : await tx.query(
            `update flows set name = $2, description = $3, draft = $4::json, updated_by = $5, updated_at = now(), draft_revision = draft_revision + 1
             where id = $1 and draft_revision = $6 returning *`,
            [...params, basedOnRevision],
          );
        if (!rows.length) {
          const { rows: current } = await tx.query('select * from flows where id = $1', [doc.id]);
          if (!current.length) throw new Error(`Flow "${doc.id}" does not exist; create it before saving its draft.`);
          throw new DraftConflictError(toFlow(current[0]), basedOnRevision ?? 0);
        }
        await tx.query(
          `insert into draft_changes (flow_id, author, after_version)
           select $1, $2, coalesce(max(version), 0) from flow_versions where flow_id = $1`,
          [doc.id, user ?? 'unknown'],
        );
        return toFlow(rows[0]);
      });
    },

    /** Who changed the draft and after which version, oldest first. */
    async listDraftChanges(flowId: string): Promise<DraftChange[]> {
      const { rows } = await db.query('select author, after_version from draft_changes where flow_id = $1 order by id', [flowId]);
      return rows.map((r) => ({ author: r.author as string, afterVersion: numberOf(r.after_version) }));
    },

    async getFlow(id: string): Promise<FlowRow | null> {
      const { rows } = await db.query('select * from flows where id = $1', [id]);
      return rows.length ? toFlow(rows[0]) : null;
    },

    async listFlows(): Promise<FlowRow[]> {
      const { rows } = await db.query('select * from flows order by name, id');
      return rows.map(toFlow);
    },

    /** Next number per flow; the flow row is locked so concurrent saves cannot take the same number. */
    async saveVersion(flowId: string, doc: FlowDocument, author: string, message: string): Promise<VersionRow> {
      checkDocument(doc);
      if (doc.id !== flowId) {
        throw new Error(`The document is flow "${doc.id}", not "${flowId}"; a version must be saved under its own flow.`);
      }
      const json = JSON.stringify(doc);
      return db.transaction(async (tx) => {
        // A version may be the first thing stored for a flow (e.g. imported from flows/).
        await tx.query(
          `insert into flows (id, name, description, draft, updated_by) values ($1, $2, $3, $4::json, $5)
           on conflict (id) do nothing`,
          [flowId, doc.name, doc.description ?? null, json, author],
        );
        await tx.query('select 1 from flows where id = $1 for update', [flowId]);
        const { rows } = await tx.query(
          `insert into flow_versions (flow_id, version, document, hash, author, message)
           select $1, coalesce(max(version), 0) + 1, $2::json, $3, $4, $5 from flow_versions where flow_id = $1
           returning *`,
          [flowId, json, documentHash(doc), author, message],
        );
        return toVersion(rows[0]);
      });
    },

    async getVersion(flowId: string, version: number): Promise<VersionRow | null> {
      const { rows } = await db.query('select * from flow_versions where flow_id = $1 and version = $2', [flowId, version]);
      return rows.length ? toVersion(rows[0]) : null;
    },

    /** Oldest first. */
    async listVersions(flowId: string): Promise<VersionRow[]> {
      const { rows } = await db.query('select * from flow_versions where flow_id = $1 order by version', [flowId]);
      return rows.map(toVersion);
    },
  };
}
