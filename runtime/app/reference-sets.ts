/**
 * Reference (master) data sets managed through the API, the CLI and the
 * designer: load a CSV or JSON file as a new version (audited), list sets
 * and versions, show one, and the reference-data problems of a flow (unknown
 * set, a key that is not the set's, one-to-many where one row is expected)
 * checked before deploy.
 */
import { FlowError } from '../../nodes/errors.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { parseDocument } from '../../nodes/formats/index.ts';
import { keyFieldsOf } from '../../nodes/reference-data.ts';
import { storedSetOf } from '../flow-files.ts';
import type { ReferenceSetVersion, StoredReferenceSet } from '../store/reference-sets.ts';
import type { AppContext } from './app-context.ts';
import { AppProblem, notFound, type ProblemItem } from './problem.ts';

/** What a set may be called: letters, digits, `_`, `.` and `-` (a flow's own file copies are `<flow>/<name>`). */
export const REFERENCE_SET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export interface ReferenceSetUpload {
  set: string;
  /** Key field, or several (a composite key). */
  key: string[];
  validFrom?: string | null;
  validTo?: string | null;
  multiple?: boolean;
  /** The file's name: its extension tells CSV from JSON / JSONL. */
  fileName: string;
  content: string;
}

async function* chunksOf(text: string): AsyncIterable<Uint8Array> {
  yield new TextEncoder().encode(text);
}

/** The rows of an uploaded CSV, JSON (a list of objects) or JSONL file. */
export async function parseReferenceFile(fileName: string, content: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  try {
    for await (const row of parseDocument(chunksOf(content), fileName, { format: 'auto' })) {
      if (!row || typeof row !== 'object' || Array.isArray(row)) throw new FlowError('validation', `row ${rows.length + 1} of ${fileName} is not an object with fields`);
      rows.push(row as Record<string, unknown>);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new AppProblem(422, `${fileName} cannot be read as reference data: ${message}`, { problems: [{ path: '/content', message }] });
  }
  return rows;
}

const invalid = (path: string, message: string) => new AppProblem(422, message, { problems: [{ path, message }] });

function checkUpload(req: ReferenceSetUpload, rows: Record<string, unknown>[]): void {
  if (!REFERENCE_SET_NAME.test(req.set)) throw invalid('/set', `"${req.set}" is not a reference set name: use letters, digits, _, . and - (at most 100).`);
  const fields = new Set(rows.flatMap((r) => Object.keys(r)));
  const named = [...req.key, req.validFrom, req.validTo].filter((f): f is string => Boolean(f));
  const unknown = rows.length ? named.filter((f) => !fields.has(f)) : [];
  if (unknown.length) {
    throw invalid('/key', `${req.fileName} has no field ${unknown.map((f) => `"${f}"`).join(', ')} (its fields: ${[...fields].slice(0, 20).join(', ')}).`);
  }
}

/** Loads a file as a new version of a set (nothing new when it is the same as the current one); audited. */
export async function loadReferenceSet(ctx: Pick<AppContext, 'repos'>, actor: string, req: ReferenceSetUpload): Promise<{ version: ReferenceSetVersion; unchanged: boolean }> {
  const rows = await parseReferenceFile(req.fileName, req.content);
  checkUpload(req, rows);
  const { repos } = ctx;
  try {
    const put = await repos.transaction(async (tx) => {
      const put = await repos.referenceSets.putReferenceSet({
        set: req.set, keyFields: req.key, validFrom: req.validFrom || null, validTo: req.validTo || null, multiple: Boolean(req.multiple),
        rows, sourceName: req.fileName, loadedBy: actor,
      }, tx);
      if (!put.unchanged) {
        await repos.audit.append({ actor, action: put.previous ? 'reference-data.replaced' : 'reference-data.loaded', entity: 'reference-data', entityId: req.set, before: put.previous, after: put.version }, tx);
      }
      return put;
    });
    return { version: put.version, unchanged: put.unchanged };
  } catch (err) {
    if (err instanceof FlowError) throw invalid('/content', err.message);
    throw err;
  }
}

export async function listReferenceSets(ctx: Pick<AppContext, 'repos'>): Promise<ReferenceSetVersion[]> {
  return ctx.repos.referenceSets.listReferenceSets();
}

/** A set's current version and every earlier one, or 404. */
export async function referenceSetHistory(ctx: Pick<AppContext, 'repos'>, set: string): Promise<{ current: ReferenceSetVersion; versions: ReferenceSetVersion[] }> {
  const versions = await ctx.repos.referenceSets.listReferenceSetVersions(set);
  if (!versions.length) throw notFound(`There is no reference data set '${set}'.`);
  return { current: versions[0], versions };
}

/** One version of a set with its first `limit` rows, or 404. */
export async function showReferenceSet(ctx: Pick<AppContext, 'repos'>, set: string, version: number | undefined, limit: number): Promise<StoredReferenceSet & { truncated: boolean }> {
  const repo = ctx.repos.referenceSets;
  const found = version === undefined ? await repo.getReferenceData(set) : await repo.getReferenceDataVersion(set, version);
  if (!found) throw notFound(version === undefined ? `There is no reference data set '${set}'.` : `Reference data set '${set}' has no version ${version}.`);
  return { ...found, rows: found.rows.slice(0, limit), truncated: found.rows.length > limit };
}

const sameFields = (a: string[], b: string[]) => a.length === b.length && a.every((f, i) => f === b[i]);

/**
 * The reference-data problems of a flow, as the server sees its store: a set
 * that was never loaded, a declared key that is not the set's, a set with
 * several rows per key where the flow expects one.
 */
export async function referenceDataProblems(ctx: Pick<AppContext, 'repos'>, doc: FlowDocument): Promise<ProblemItem[]> {
  const problems: ProblemItem[] = [];
  const declared = doc.referenceData ?? {};
  for (const [name, decl] of Object.entries(declared)) {
    const path = `/referenceData/${name}`;
    const set = storedSetOf(doc.id, name, decl);
    const current = (await ctx.repos.referenceSets.listReferenceSetVersions(set))[0];
    if (!current) {
      problems.push({ path, message: decl.file
        ? `Reference data '${name}' (${decl.file}) is not in the store: import the flow from its folder, or declare a stored set and load it on the Reference data page.`
        : `Reference data set '${set}' (used as '${name}') is not loaded: load it on the Reference data page or with \`ledgerflow reference load ${set} <file> --key ${keyFieldsOf(decl.key).join(',')}\`.` });
      continue;
    }
    if (!sameFields(keyFieldsOf(decl.key), current.keyFields)) {
      problems.push({ path: `${path}/key`, message: `Reference data set '${set}' is keyed by ${current.keyFields.join(' + ')} (version ${current.version}), but the flow declares ${keyFieldsOf(decl.key).join(' + ')}.` });
    }
    if (current.multiple && !decl.multiple) {
      problems.push({ path: `${path}/multiple`, message: `Reference data set '${set}' has several rows per key (one-to-many): declare it "multiple" and read it with $refAll, or load it with one row per key.` });
    }
  }
  for (const node of doc.nodes ?? []) {
    const refs = (node.config as { references?: { set?: string }[] } | undefined)?.references ?? [];
    refs.forEach((r, i) => {
      if (r.set && !Object.hasOwn(declared, r.set)) {
        problems.push({ path: `/nodes/${node.id}/config/references/${i}/set`, nodeId: node.id, message: `Reference check uses set '${r.set}', which the flow does not declare (declared: ${Object.keys(declared).join(', ') || 'none'}).` });
      }
    });
  }
  return problems;
}

/** 422 listing the flow's reference-data problems, if any (before a deploy or promotion). */
export async function assertReferenceDataReady(ctx: Pick<AppContext, 'repos'>, doc: FlowDocument, environment: string): Promise<void> {
  const problems = await referenceDataProblems(ctx, doc);
  if (problems.length) {
    throw new AppProblem(422, `Flow '${doc.id}' cannot go to ${environment}: ${problems.length} reference data problem(s). ${problems.map((p) => p.message).join(' ')}`, { problems });
  }
}
