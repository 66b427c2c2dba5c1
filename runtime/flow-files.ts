/**
 * The `flows/` file format on disk: a flow document plus the reference data
 * files and sample inputs it names, all relative to the flow file.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { InputDocument, ReferenceData } from '../nodes/define-node.ts';
import type { FlowDocument, ReferenceDataDeclaration } from '../nodes/flow-document.ts';
import { FlowError } from '../nodes/errors.ts';
import { parseDocument } from '../nodes/formats/index.ts';
import { createReferenceData, keyFieldsOf, type ReferenceDataSet } from '../nodes/reference-data.ts';
import { referenceDataSetOf, type ReferenceVersions, type StoredReferenceSet } from './store/reference-sets.ts';
import type { Store } from './store/store.ts';

export interface LoadedFlow {
  doc: FlowDocument;
  /** Folder of the flow file: reference data and samples are relative to it. */
  dir: string;
  path: string;
}

/** Reads and parses a flow file; a JSON syntax error names the file, line and column. */
export async function loadFlowFile(path: string): Promise<LoadedFlow> {
  const full = resolve(path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new FlowError('permanent', `cannot read flow file ${path}: ${(err as Error).message}`);
  }
  return { doc: parseFlowJson(text, path), dir: dirname(full), path: full };
}

export function parseFlowJson(text: string, name: string): FlowDocument {
  try {
    return JSON.parse(text) as FlowDocument;
  } catch (err) {
    const message = (err as Error).message;
    const m = /position (\d+)/.exec(message);
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const column = pos - before.lastIndexOf('\n');
      throw new FlowError('validation', `${name} line ${line}, column ${column}: not valid JSON (${message})`, { position: pos });
    }
    throw new FlowError('validation', `${name}: not valid JSON (${message})`);
  }
}

/** A file on disk as a source input, streamed in 64 KiB chunks. */
export function fileInput(path: string): InputDocument {
  return {
    name: basename(path),
    chunks: () => createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>,
  };
}

export async function assertReadable(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a file');
  } catch (err) {
    throw new FlowError('validation', `cannot read input file ${path}: ${(err as Error).message}`);
  }
}

/** Source of stored reference data sets, e.g. the store. */
export interface ReferenceDataSource {
  getReferenceData(set: string): Promise<StoredReferenceSet | null>;
  getReferenceDataAsOf?(set: string, asOf: string): Promise<StoredReferenceSet | null>;
  getReferenceDataVersion?(set: string, version: number): Promise<StoredReferenceSet | null>;
}

/** Name under which a flow's file-based reference set is kept in the store. */
export function storedSetName(flowId: string, name: string): string {
  return `${flowId}/${name}`;
}

/** The stored set a declaration reads: the flow's copy of its file, or a set loaded by name. */
export const storedSetOf = (flowId: string, name: string, decl: ReferenceDataDeclaration): string =>
  (decl.file ? storedSetName(flowId, name) : (decl.stored ?? name));

async function readReferenceFile(dir: string, file: string): Promise<Record<string, unknown>[]> {
  const path = resolve(dir, file);
  const rows: Record<string, unknown>[] = [];
  for await (const row of parseDocument(fileInput(path).chunks(), basename(path), { format: 'auto' })) rows.push(row as Record<string, unknown>);
  return rows;
}

/** A file declaration as the look-up functions take it. */
const declaredSet = (decl: ReferenceDataDeclaration, rows: Record<string, unknown>[]): ReferenceDataSet => ({
  key: decl.key, rows, ...(decl.validFrom ? { validFrom: decl.validFrom } : {}), ...(decl.validTo ? { validTo: decl.validTo } : {}), ...(decl.multiple ? { multiple: true } : {}),
});

/**
 * Copies a flow's file-based reference data into the store (a new version
 * when a file changed), so runs of its stored versions (workers, replays, the
 * server) find it without the folder.
 */
export async function storeFileReferenceData(doc: FlowDocument, dir: string, store: Pick<Store, 'putReferenceSet'>): Promise<string[]> {
  const loaded: string[] = [];
  for (const [name, decl] of Object.entries(doc.referenceData ?? {})) {
    if (!decl.file) continue;
    await store.putReferenceSet({
      set: storedSetName(doc.id, name), keyFields: keyFieldsOf(decl.key), validFrom: decl.validFrom ?? null, validTo: decl.validTo ?? null,
      multiple: Boolean(decl.multiple), rows: await readReferenceFile(dir, decl.file), sourceName: decl.file, loadedBy: `flow ${doc.id}`,
    });
    loaded.push(name);
  }
  return loaded;
}

/** Which stored data a load reads: as it was at a time (a replay "as it was"), or the versions a run recorded. */
export interface ReferenceChoice {
  asOf?: string | null;
  pinned?: ReferenceVersions | null;
}

async function storedSet(stored: ReferenceDataSource | undefined, set: string, name: string, decl: ReferenceDataDeclaration, flowId: string, choice: ReferenceChoice): Promise<StoredReferenceSet> {
  const pinned = choice.pinned?.[name];
  if (pinned) {
    const then = await stored?.getReferenceDataVersion?.(pinned.set, pinned.version);
    if (!then) throw new FlowError('permanent', `reference data set '${pinned.set}' (used as '${name}') has no version ${pinned.version}, which this run read`);
    return then;
  }
  if (choice.asOf) {
    // A replay "as it was": the set as it was loaded when the record failed.
    const then = await stored?.getReferenceDataAsOf?.(set, choice.asOf);
    if (!then) {
      throw new FlowError('permanent', `reference data set '${set}' (used as '${name}') as it was at ${choice.asOf} is not kept (it was first loaded later); replay with the current reference data instead`);
    }
    return then;
  }
  const current = await stored?.getReferenceData(set);
  if (!current) {
    throw new FlowError('permanent', decl.file
      ? `reference data '${name}' (${decl.file}) of flow '${flowId}' is not in the store; import the flow from its folder (ledgerflow run/examples load) to load it`
      : `reference data set '${set}' (used as '${name}') is not loaded; load it with \`ledgerflow reference load ${set} <file> --key ${keyFieldsOf(decl.key).join(',')}\` or on the Reference data page`);
  }
  return current;
}

/**
 * Loads the reference data a flow declares: files relative to the flow's
 * folder when there is one, else their stored copies; `stored` sets by name.
 * Also says which stored version of each set it read.
 */
export async function loadReferenceSets(doc: FlowDocument, dir: string | null, stored?: ReferenceDataSource, choice: ReferenceChoice = {}): Promise<{ reference: ReferenceData; versions: ReferenceVersions }> {
  const sets: Record<string, ReferenceDataSet> = {};
  const versions: ReferenceVersions = {};
  for (const [name, decl] of Object.entries(doc.referenceData ?? {})) {
    if (decl.file && dir && !choice.asOf && !choice.pinned) {
      sets[name] = declaredSet(decl, await readReferenceFile(dir, decl.file));
      continue;
    }
    const set = storedSetOf(doc.id, name, decl);
    const loaded = await storedSet(stored, set, name, decl, doc.id, choice);
    sets[name] = referenceDataSetOf(loaded);
    versions[name] = { set: loaded.set, version: loaded.version };
  }
  return { reference: createReferenceData(sets), versions };
}

/** The reference data a flow declares (see `loadReferenceSets`); with `asOf`, the stored sets as they were loaded at that time. */
export async function loadReferenceData(doc: FlowDocument, dir: string | null, stored?: ReferenceDataSource, asOf?: string | null): Promise<ReferenceData> {
  return (await loadReferenceSets(doc, dir, stored, { asOf })).reference;
}

/**
 * The versions of the stored sets a run of `doc` reads: the current ones, or
 * those loaded last at or before `asOf` (a replay "as it was"). Sets never
 * loaded are left out (loading them then names what is missing).
 */
export async function referenceVersionsOf(doc: FlowDocument, store: Pick<Store, 'listReferenceSetVersions'>, asOf?: string | null): Promise<ReferenceVersions> {
  const versions: ReferenceVersions = {};
  for (const [name, decl] of Object.entries(doc.referenceData ?? {})) {
    const set = storedSetOf(doc.id, name, decl);
    const found = (await store.listReferenceSetVersions(set)).find((v) => !asOf || Date.parse(v.loadedAt) <= Date.parse(asOf));
    if (found) versions[name] = { set, version: found.version };
  }
  return versions;
}
