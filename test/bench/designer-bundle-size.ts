/**
 * The JavaScript opening a flow takes, from the designer build's manifest (`dist/designer/.vite/manifest.json`):
 * the entry (index.html's script) and the flow editor's chunk with everything they import statically,
 * then the flow-problems worker's chunk with what it imports besides (shared chunks count once: the
 * browser fetches a file once). Gzipped at level 9, as the designer bench measures the scripts it saw.
 * `node --import tsx test/bench/designer-bundle-size.ts [build folder]` prints it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

interface ManifestChunk { file: string; imports?: string[] }

/** Manifest keys (sources relative to designer/) of what the page and its worker start from. */
export const PAGE_ENTRIES = ['index.html', 'flow-editor-page.tsx'];
export const WORKER_ENTRIES = ['store/problems-worker.ts'];

export interface BundleFile { file: string; part: 'page' | 'worker'; raw: number; gzip: number }

export function flowEditorBundle(dir = resolve(import.meta.dirname, '../../dist/designer')) {
  const manifest = JSON.parse(readFileSync(join(dir, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const closure = (keys: string[], seen: Set<string>) => {
    const found: string[] = [];
    const visit = (key: string) => {
      if (seen.has(key)) return;
      const chunk = manifest[key];
      if (!chunk) throw new Error(`${key} is not in the designer build's manifest (${dir})`);
      seen.add(key);
      found.push(chunk.file);
      for (const k of chunk.imports ?? []) visit(k);
    };
    for (const k of keys) visit(k);
    return found;
  };
  const seen = new Set<string>();
  const files: BundleFile[] = [
    ...closure(PAGE_ENTRIES, seen).map((file) => ({ file, part: 'page' as const })),
    ...closure(WORKER_ENTRIES, seen).map((file) => ({ file, part: 'worker' as const })),
  ].filter((f) => f.file.endsWith('.js')).map((f) => {
    const body = readFileSync(join(dir, f.file));
    return { ...f, raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
  const kb = (part?: BundleFile['part']) => Math.round(files.filter((f) => !part || f.part === part).reduce((t, f) => t + f.gzip, 0) / 1024);
  return { pageKb: kb('page'), workerKb: kb('worker'), withWorkerKb: kb(), files };
}

if (process.argv[1] === import.meta.filename) {
  const bundle = flowEditorBundle(process.argv[2] ? resolve(process.argv[2]) : undefined);
  for (const f of bundle.files) console.log(`${f.file.padEnd(48)}${(f.gzip / 1024).toFixed(1).padStart(7)} KB gz  (${(f.raw / 1024).toFixed(0)} KB)  ${f.part}`);
  console.log(`page ${bundle.pageKb} KB + worker ${bundle.workerKb} KB = ${bundle.withWorkerKb} KB gzipped`);
}
