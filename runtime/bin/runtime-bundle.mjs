/**
 * The CLI's compiled form: an ESM bundle of runtime/ and nodes/ (npm packages
 * stay imports; one chunk per group of commands, so a command loads only what
 * it uses), rebuilt with esbuild when a source file is newer than it.
 * Compiling TypeScript at every start (tsx) took ~2 s; the mtime check takes
 * a few ms.
 *
 * Each build goes to its own folder dist/runtime/build-<time>-<pid>/, and
 * dist/runtime/cli.mjs, replaced in one rename, points to the newest: a
 * process started during a rebuild runs the previous build whole.
 *
 * Plain JavaScript on purpose: it runs before anything can load TypeScript.
 */
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = ['runtime', 'nodes'].map((d) => join(ROOT, d));
export const BUNDLE_DIR = join(ROOT, 'dist/runtime');
export const BUNDLE = join(BUNDLE_DIR, 'cli.mjs');

/**
 * Files the runtime loads by path next to its own module (`new URL('./…',
 * import.meta.url)`): copied beside the bundle so they are found there too.
 */
const BESIDE_THE_BUNDLE = ['runtime/store/pglite-process-main.mjs', 'runtime/store/migrations'];

/** Newest mtime of any file or folder (a folder's changes when a file is added, removed or renamed). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let t = stat.mtimeMs;
  for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

function bundleTime() {
  try {
    return statSync(BUNDLE).mtimeMs;
  } catch {
    return -1;
  }
}

export function bundleIsCurrent() {
  const built = bundleTime();
  return built >= 0 && SOURCES.every((dir) => newest(dir) <= built);
}

/** Builds into a new folder, points cli.mjs at it, and removes builds older than a minute. */
export async function buildBundle() {
  const { build } = await import('esbuild');
  const name = `build-${Date.now()}-${process.pid}`;
  const outdir = join(BUNDLE_DIR, name);
  mkdirSync(outdir, { recursive: true });
  for (const rel of BESIDE_THE_BUNDLE) cpSync(join(ROOT, rel), join(outdir, rel.slice(rel.lastIndexOf('/') + 1)), { recursive: true });
  await build({
    entryPoints: { cli: join(ROOT, 'runtime/cli.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'error',
  });
  const temporary = `${BUNDLE}.${process.pid}.tmp`;
  writeFileSync(temporary, `export * from './${name}/cli.mjs';\n`);
  renameSync(temporary, BUNDLE);
  for (const old of readdirSync(BUNDLE_DIR)) {
    if (!old.startsWith('build-') || old === name) continue;
    const at = join(BUNDLE_DIR, old);
    // A process that started on an older build may still be loading its chunks.
    if (Date.now() - statSync(at).mtimeMs > 60_000) rmSync(at, { recursive: true, force: true });
  }
}

/** The CLI's `main`, from the bundle (built first when stale), or through tsx when it cannot be built here. */
export async function loadCli() {
  if (!bundleIsCurrent()) {
    try {
      await buildBundle();
    } catch (err) {
      // No esbuild, or no right to write dist/ (a read-only install): compile at start instead.
      if (!['ERR_MODULE_NOT_FOUND', 'EACCES', 'EPERM', 'EROFS'].includes(err?.code)) throw err;
      const { register } = await import('tsx/esm/api');
      register();
      return import('../cli.ts');
    }
  }
  return import(BUNDLE);
}
