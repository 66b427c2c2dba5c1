/**
 * The designer reaches the runtime only through the API contract
 * (runtime/api/contract): its types with `import type` (erased: no zod, no
 * server code in the bundle), and its plain enum lists (enums.ts) as values.
 * The contract itself stays browser-safe: zod, nodes/ and its own modules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CONTRACT = 'runtime/api/contract/';
/** The lower-layer modules whose enum lists enums.ts re-exports: plain data and types. */
const ENUM_SOURCES = ['nodes/errors.ts', 'runtime/auth/roles.ts', 'runtime/engine/run-types.ts', 'runtime/store/store.ts', 'runtime/store/alert-kinds.ts', 'runtime/replay.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'build' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

interface Import { typeOnly: boolean; specifier: string }

/** The static imports and re-exports of a module's text. */
function importsOf(text: string): Import[] {
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gms)) {
    const names = m[3];
    const everyNameTyped = /^\{([^}]*)\}$/.test(names.trim()) && names.replace(/[{}]/g, '').split(',').map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith('type '));
    found.push({ typeOnly: Boolean(m[2]) || everyNameTyped, specifier: m[4] });
  }
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push({ typeOnly: false, specifier: m[1] });
  return found;
}

/** What `file` (a path from the repository root) imports against the rules. */
function violations(file: string, text: string): string[] {
  const out: string[] = [];
  for (const { typeOnly, specifier } of importsOf(text)) {
    if (!specifier.startsWith('.')) {
      if (file.startsWith(CONTRACT) && specifier !== 'zod') out.push(`${file} imports the package ${specifier}; the contract uses zod only`);
      if (file === `${CONTRACT}enums.ts`) out.push(`${file} imports ${specifier}; the enum lists are plain data`);
      continue;
    }
    const target = relative(ROOT, resolve(ROOT, dirname(file), specifier)).split('\\').join('/');
    if (file.startsWith('designer/') && target.startsWith('runtime/')) {
      if (!target.startsWith(CONTRACT)) out.push(`${file} imports ${target}; the designer reaches the runtime only through ${CONTRACT}`);
      else if (!typeOnly && target !== `${CONTRACT}enums.ts`) out.push(`${file} imports values from ${target}; only types (import type), and the lists of enums.ts`);
    }
    if (file.startsWith(CONTRACT) && !target.startsWith(CONTRACT) && !target.startsWith('nodes/') && !(file === `${CONTRACT}enums.ts` && ENUM_SOURCES.includes(target))) {
      out.push(`${file} imports ${target}; the contract is browser-safe: zod, its own modules, nodes/ (browser-safe by the architecture rules)`);
    }
  }
  return out;
}

describe('the designer and the API contract', () => {
  it('the designer imports the runtime only through the contract, as types (and the enum lists)', () => {
    const files = [...sourceFiles('designer'), ...sourceFiles('runtime/api/contract')];
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => violations(f, readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('catches a screen importing server code, or the contract\'s schemas as values', () => {
    expect(violations('designer/runs/x.tsx', "import { createApp } from '../../runtime/api/create-app.ts';")).toEqual([
      'designer/runs/x.tsx imports runtime/api/create-app.ts; the designer reaches the runtime only through runtime/api/contract/',
    ]);
    expect(violations('designer/runs/x.tsx', "import { RunRowSchema } from '../../runtime/api/contract/schemas.ts';")).toHaveLength(1);
    expect(violations('designer/runs/x.tsx', "import { type RunRow } from '../../runtime/api/contract/schemas.ts';\nimport { RUN_STATUSES } from '../../runtime/api/contract/enums.ts';")).toEqual([]);
    expect(violations('runtime/api/contract/routes.ts', "import { requireRoles } from '../middleware/auth.ts';")).toHaveLength(1);
    expect(violations('runtime/api/contract/schemas.ts', "import { MappingTestResultSchema } from '../../../nodes/mapping-test-result.ts';")).toEqual([]);
  });
});
