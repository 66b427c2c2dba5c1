/**
 * `import url from './x.ts?chunk-url'`: the URL of module `x.ts` built as a
 * chunk of the designer's own build, for `new Worker(url, { type: 'module' })`.
 *
 * vite builds a `new Worker(new URL('./x.ts', import.meta.url))` as a bundle of
 * its own, so a worker that checks flows carried a second copy of the node
 * catalog, jsonata and ajv (~190 KB gzipped). As a chunk of the main build
 * (rollup's `emitFile` + `import.meta.ROLLUP_FILE_URL_`), the worker imports
 * the very chunks the page loads, and the browser fetches each once.
 * In the dev server the module is served as it is.
 */
import type { Plugin } from 'vite';

const SUFFIX = '?chunk-url';

export function chunkUrlPlugin(): Plugin {
  let building = false;
  return {
    name: 'ledgerflow:chunk-url',
    enforce: 'pre',
    configResolved(config) {
      building = config.command === 'build';
    },
    async resolveId(source, importer) {
      if (!source.endsWith(SUFFIX)) return null;
      const resolved = await this.resolve(source.slice(0, -SUFFIX.length), importer, { skipSelf: true });
      if (!resolved) throw new Error(`${source}: module not found (imported by ${importer})`);
      return `${resolved.id}${SUFFIX}`;
    },
    load(id) {
      if (!id.endsWith(SUFFIX)) return null;
      const module = id.slice(0, -SUFFIX.length);
      if (!building) return `export default ${JSON.stringify(`/@fs${module}`)};`;
      const ref = this.emitFile({ type: 'chunk', id: module });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
  };
}
