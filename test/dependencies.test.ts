/**
 * Honest dependencies: every Node version package.json's `engines.node`
 * declares is supported by every package in the lock file and in
 * node_modules (so `npm install` prints no EBADENGINE warning), @types/node
 * describes the lowest of them, and every package the runtime or the
 * designer's build imports is a run-time dependency.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

interface Manifest {
  name?: string;
  version?: string;
  engines?: { node?: string } | string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const project = readJson<Manifest>(join(ROOT, 'package.json'));
const declared = (project.engines as { node: string }).node;

const nodeRange = (m: Manifest) => (m.engines && !Array.isArray(m.engines) ? m.engines.node : undefined);

/** Every package.json under node_modules, nested ones included. */
function installed(dir = join(ROOT, 'node_modules')): { where: string; manifest: Manifest }[] {
  const found: { where: string; manifest: Manifest }[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (name.startsWith('@')) {
      found.push(...installed(path));
      continue;
    }
    const manifestPath = join(path, 'package.json');
    if (!existsSync(manifestPath)) continue;
    found.push({ where: relative(ROOT, path), manifest: readJson<Manifest>(manifestPath) });
    if (existsSync(join(path, 'node_modules'))) found.push(...installed(join(path, 'node_modules')));
  }
  return found;
}

/** Packages whose Node range leaves out some of the declared versions. */
function misfits(packages: { where: string; range: string | undefined }[]): string[] {
  return packages
    .filter((p) => p.range && !semver.subset(declared, p.range, { loose: true }))
    .map((p) => `${p.where} wants node ${p.range}`);
}

/** Statement-level imports and exports (`… from 'x'`, `import 'x'`) and dynamic `import('x')`. */
const IMPORT = /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Bare package names (not `node:` built-ins, not relative paths) that `text` imports. */
function packagesImportedBy(text: string): string[] {
  return [...text.matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2] ?? m[3])
    // virtual: a module a vite plugin of ours generates (designer/build), not a package.
    .filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:') && !spec.startsWith('/') && !spec.startsWith('virtual:'))
    .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]));
}

/** Packages imported by the TypeScript and JavaScript files under `dir`. */
function importedPackages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mjs|js)$/.test(entry.name))
    .flatMap((entry) => packagesImportedBy(readFileSync(join(entry.parentPath, entry.name), 'utf8')));
}

describe('dependencies', () => {
  it('declares a Node range, and the Node running the tests is in it', () => {
    expect(semver.validRange(declared)).not.toBeNull();
    expect(semver.satisfies(process.version, declared)).toBe(true);
  });

  it('every package in the lock file supports every declared Node version', () => {
    const lock = readJson<{ packages: Record<string, Manifest> }>(join(ROOT, 'package-lock.json'));
    const packages = Object.entries(lock.packages).filter(([where]) => where).map(([where, m]) => ({ where, range: nodeRange(m) }));
    expect(packages.length).toBeGreaterThan(50);
    expect(misfits(packages)).toEqual([]);
  });

  it('every installed package supports every declared Node version (no EBADENGINE)', () => {
    const packages = installed().map(({ where, manifest }) => ({ where: `${where}@${manifest.version}`, range: nodeRange(manifest) }));
    expect(packages.length).toBeGreaterThan(50);
    expect(misfits(packages)).toEqual([]);
  });

  it('the check catches a package that wants a newer Node', () => {
    expect(misfits([{ where: 'pg-boss@12.35.0', range: '>=22.12.0' }])).toEqual(['pg-boss@12.35.0 wants node >=22.12.0']);
  });

  it('@types/node describes the lowest supported Node', () => {
    const types = readJson<Manifest>(join(ROOT, 'node_modules/@types/node/package.json'));
    expect(semver.major(types.version!)).toBe(semver.minVersion(declared)!.major);
  });

  it('what the runtime, the CLI and the designer build import are run-time dependencies', () => {
    const needed = new Set([
      ...['runtime', 'nodes', 'designer'].flatMap((dir) => importedPackages(join(ROOT, dir))),
      ...packagesImportedBy(readFileSync(join(ROOT, 'vite.config.ts'), 'utf8')),
    ]);
    expect(needed).toContain('pg-boss');
    expect(needed).toContain('vite');
    const missing = [...needed].filter((name) => !project.dependencies?.[name]).sort();
    expect(missing).toEqual([]);
    // Another step prebuilds the runtime with esbuild at install or start.
    expect(project.dependencies?.esbuild).toBeDefined();
  });
});
