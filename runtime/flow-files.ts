/**
 * The `flows/` file format on disk: a flow document plus the reference data
 * files and sample inputs it names, all relative to the flow file.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { InputDocument, ReferenceData } from '../nodes/define-node.ts';
import type { FlowDocument } from '../nodes/flow-document.ts';
import { FlowError } from '../nodes/errors.ts';
import { parseDocument } from '../nodes/formats/index.ts';
import { createReferenceData } from '../nodes/reference-data.ts';

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
  getReferenceData(set: string): Promise<Map<string, unknown> | null>;
  getReferenceDataAsOf?(set: string, asOf: string): Promise<Map<string, unknown> | null>;
}

/** Name under which a flow's file-based reference set is kept in the store. */
export function storedSetName(flowId: string, name: string): string {
  return `${flowId}/${name}`;
}

async function readReferenceFile(dir: string, file: string): Promise<Record<string, unknown>[]> {
  const path = resolve(dir, file);
  const rows: Record<string, unknown>[] = [];
  for await (const row of parseDocument(fileInput(path).chunks(), basename(path), { format: 'auto' })) rows.push(row as Record<string, unknown>);
  return rows;
}

/**
 * Copies a flow's file-based reference data into the store, so runs of its
 * stored versions (workers, replays, the server) find it without the folder.
 */
export async function storeFileReferenceData(doc: FlowDocument, dir: string, store: { putReferenceData(set: string, keyField: string, rows: Record<string, unknown>[]): Promise<number> }): Promise<string[]> {
  const loaded: string[] = [];
  for (const [name, decl] of Object.entries(doc.referenceData ?? {})) {
    if (!decl.file) continue;
    await store.putReferenceData(storedSetName(doc.id, name), decl.key, await readReferenceFile(dir, decl.file));
    loaded.push(name);
  }
  return loaded;
}

/**
 * Loads the reference data a flow declares: files relative to the flow's
 * folder when there is one, else their stored copies; `stored` sets by name.
 * With `asOf`, the stored sets as they were loaded at that time (a replay "as it was").
 */
export async function loadReferenceData(doc: FlowDocument, dir: string | null, stored?: ReferenceDataSource, asOf?: string | null): Promise<ReferenceData> {
  const sets: Record<string, { key: string; rows: Record<string, unknown>[] }> = {};
  for (const [name, decl] of Object.entries(doc.referenceData ?? {})) {
    if (decl.file && dir && !asOf) {
      sets[name] = { key: decl.key, rows: await readReferenceFile(dir, decl.file) };
      continue;
    }
    const set = decl.file ? storedSetName(doc.id, name) : (decl.stored ?? name);
    if (asOf) {
      // A replay "as it was": the set as it was loaded when the record failed.
      const then = await stored?.getReferenceDataAsOf?.(set, asOf);
      if (!then) {
        throw new FlowError('permanent', `reference data set '${set}' (used as '${name}') as it was at ${asOf} is not kept (it was first loaded later); replay with the current reference data instead`);
      }
      sets[name] = { key: decl.key, rows: [...then.values()] as Record<string, unknown>[] };
      continue;
    }
    const map = await stored?.getReferenceData(set);
    if (!map) {
      throw new FlowError('permanent', decl.file
        ? `reference data '${name}' (${decl.file}) of flow '${doc.id}' is not in the store; import the flow from its folder (ledgerflow run/examples load) to load it`
        : `reference data set '${set}' (used as '${name}') is not loaded; load it with \`ledgerflow reference load ${set} <file> --key ${decl.key}\``);
    }
    sets[name] = { key: decl.key, rows: [...map.values()] as Record<string, unknown>[] };
  }
  return createReferenceData(sets);
}
