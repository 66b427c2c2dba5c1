/**
 * Stored sub-flows: each save that changes one is a new numbered version,
 * kept whole, so the version a flow pins can always be read back and compared.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import type { SubflowDefinition } from '../../nodes/subflow/subflow.ts';
import { documentHash } from './canonical-json.ts';
import { isoOf, numberOf } from './row-values.ts';

/** A version as listed: its ports and size, who saved it and why. */
export interface SubflowVersionRow {
  name: string;
  version: number;
  description: string | null;
  inputs: string[];
  outputs: string[];
  nodeCount: number;
  hash: string;
  message: string | null;
  createdBy: string | null;
  createdAt: string;
}

/** A version with its content. */
export interface StoredSubflow extends SubflowVersionRow {
  definition: SubflowDefinition;
}

type Row = Record<string, unknown>;

const storedOf = (r: Row): StoredSubflow => {
  const definition = r.definition as SubflowDefinition;
  return {
    name: r.name as string,
    version: numberOf(r.version),
    description: definition.description ?? null,
    inputs: definition.inputs.map((p) => p.id),
    outputs: definition.outputs.map((p) => p.id),
    nodeCount: definition.nodes.length,
    hash: r.hash as string,
    message: (r.message as string | null) ?? null,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: isoOf(r.created_at),
    definition,
  };
};

const listed = ({ definition: _d, ...row }: StoredSubflow): SubflowVersionRow => row;

/** The hash a version's content is compared by (a flow's pinned copy included). */
export const subflowHash = (definition: SubflowDefinition) => documentHash(definition);

const COLUMNS = 'name, version, definition, hash, message, created_by, created_at';

async function latest(sql: SqlClient, name: string): Promise<StoredSubflow | null> {
  const { rows } = await sql.query<Row>(`select ${COLUMNS} from subflows where name = $1 order by version desc limit 1`, [name]);
  return rows.length ? storedOf(rows[0]) : null;
}

export function subflowsRepo(sql: SqlClient) {
  return {
    /** Every sub-flow at its latest version, by name. */
    async listLatest(): Promise<SubflowVersionRow[]> {
      const { rows } = await sql.query<Row>(`select distinct on (name) ${COLUMNS} from subflows order by name, version desc`);
      return rows.map((r) => listed(storedOf(r)));
    },

    /** A sub-flow's versions, newest first. */
    async listVersions(name: string): Promise<SubflowVersionRow[]> {
      const { rows } = await sql.query<Row>(`select ${COLUMNS} from subflows where name = $1 order by version desc`, [name]);
      return rows.map((r) => listed(storedOf(r)));
    },

    /** One version (the latest when `version` is absent), or null. */
    async get(name: string, version?: number): Promise<StoredSubflow | null> {
      if (version === undefined) return latest(sql, name);
      const { rows } = await sql.query<Row>(`select ${COLUMNS} from subflows where name = $1 and version = $2`, [name, version]);
      return rows.length ? storedOf(rows[0]) : null;
    },

    /**
     * Saves `definition` as the next version of `name`, in `tx`; the same
     * content as the latest version makes none (`unchanged`). Two saves at
     * once number their versions one after the other.
     */
    async put(tx: SqlClient, input: { name: string; definition: SubflowDefinition; message?: string | null; createdBy: string }): Promise<{ saved: StoredSubflow; unchanged: boolean; previous: SubflowVersionRow | null }> {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`subflow:${input.name}`]);
      const before = await latest(tx, input.name);
      const hash = subflowHash(input.definition);
      if (before && before.hash === hash) return { saved: before, unchanged: true, previous: listed(before) };
      const { rows } = await tx.query<Row>(
        `insert into subflows (name, version, definition, hash, message, created_by) values ($1, $2, $3::jsonb, $4, $5, $6) returning ${COLUMNS}`,
        [input.name, (before?.version ?? 0) + 1, JSON.stringify(input.definition), hash, input.message ?? null, input.createdBy]);
      return { saved: storedOf(rows[0]), unchanged: false, previous: before ? listed(before) : null };
    },
  };
}

export type SubflowsRepo = ReturnType<typeof subflowsRepo>;
