/**
 * The architecture of README "Project layout", enforced: no SQL and no
 * database driver above runtime/store; the engine imports only nodes/ (and
 * itself); nodes/ is browser-safe; the engine, use cases, queue, API and
 * nodes/ keep no module-level `let`/`var` (settings are passed in); the CLI
 * does not import the HTTP adapter (runtime/api); the use cases (runtime/app) import no entry
 * point and the store no use case; the designer reaches runtime/ only through
 * the API contract. Each rule is first shown to catch a deliberate violation.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkArchitecture, checkFile, type Finding, looksLikeSql, MODULE_STATE_ALLOWED, moduleRefs, type RuleName, sourceFiles } from './architecture-rules.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const PENDING: Record<string, RuleName[]> = {};

const rulesOf = (findings: Finding[]) => [...new Set(findings.map((f) => f.rule))].sort();
const check = (path: string, text: string) => checkFile({ path, text });
const shown = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line} [${f.rule}] ${f.detail}`).join('\n');

describe('the checker catches a deliberate violation of each rule', () => {
  it('SQL in a route, a use case, the queue, the CLI or the engine', () => {
    const sql = "export const n = (db) => db.query('select count(*) as n from runs where flow_id = $1', ['x']);";
    for (const folder of ['runtime/api/routes', 'runtime/app', 'runtime/queue', 'runtime/cli', 'runtime/engine', 'runtime/triggers', 'runtime']) {
      expect(rulesOf(check(`${folder}/bad.ts`, sql)), folder).toEqual(['no-sql-above-store']);
    }
    // Built in a template, split over lines, a fragment, upper case: all SQL.
    expect(rulesOf(check('runtime/api/routes/bad.ts', 'const q = `insert into flows (id)\n values ($1) on conflict do nothing`;'))).toEqual(['no-sql-above-store']);
    expect(rulesOf(check('runtime/app/bad.ts', 'const w = ` and environment = $${params.length}`;'))).toEqual(['no-sql-above-store']);
    expect(rulesOf(check('runtime/app/bad.ts', "const q = 'DELETE FROM flows WHERE id = $1';"))).toEqual(['no-sql-above-store']);
    // The same text in the store is where it belongs; the connectors speak SQL to the flows' target databases.
    expect(check('runtime/store/flows-repo.ts', sql)).toEqual([]);
    expect(check('runtime/connectors/postgres.ts', "await client.query('SAVEPOINT s1'); import pg from 'pg';")).toEqual([]);
  });

  it('does not take prose, identifiers or comments for SQL', () => {
    for (const text of ['Select a version from the list.', 'rollback', 'deployment.rolled-back', 'Update the flow, then deploy it', 'select', 'delete the draft from your screen']) {
      expect(looksLikeSql(text), text).toBe(false);
    }
    expect(check('runtime/api/routes/ok.ts', "// select id from runs where id = $1\nexport const kind = 'rollback';")).toEqual([]);
  });

  it('the database driver or the store\'s raw Db above the store', () => {
    expect(rulesOf(check('runtime/api/routes/bad.ts', "import pg from 'pg';"))).toEqual(['no-raw-driver-above-store']);
    expect(rulesOf(check('runtime/cli/bad.ts', "const { PGlite } = await import('@electric-sql/pglite');"))).toEqual(['no-raw-driver-above-store']);
    expect(rulesOf(check('runtime/app/bad.ts', "import { sqlClientOf } from '../store/db.ts';"))).toEqual(['no-raw-driver-above-store']);
    expect(rulesOf(check('runtime/queue/bad.ts', "import { createPostgresDb } from '../store/postgres-db.ts';"))).toEqual(['no-raw-driver-above-store']);
    // The type of a transaction handed to repositories: no driver reached.
    expect(check('runtime/queue/ok.ts', "import type { Db } from '../store/db.ts';")).toEqual([]);
    expect(rulesOf(check('runtime/queue/bad.ts', "export { rawDbOf } from '../store/queue-backend.ts';"))).toEqual(['no-raw-driver-above-store']);
    expect(check('runtime/store/open-store.ts', "import pg from 'pg';")).toEqual([]);
  });

  it('the engine importing anything but nodes/ and itself', () => {
    expect(rulesOf(check('runtime/engine/bad.ts', "import type { Store } from '../store/store.ts';"))).toEqual(['engine-imports-nodes-only']);
    expect(rulesOf(check('runtime/engine/bad.ts', "import { readFile } from 'node:fs/promises';"))).toEqual(['engine-imports-nodes-only']);
    expect(rulesOf(check('runtime/engine/bad.ts', "type L = import('../queue/launcher.ts').RunLauncher;"))).toEqual(['engine-imports-nodes-only']);
    expect(rulesOf(check('runtime/engine/bad.ts', "import PgBoss from 'pg-boss';"))).toEqual(['engine-imports-nodes-only']);
    expect(rulesOf(check('runtime/engine/bad.ts', "import { pino } from 'pino';"))).toEqual(['engine-imports-nodes-only']);
    expect(check('runtime/engine/ok.ts', "import { FlowError } from '../../nodes/errors.ts';\nimport { x } from './run-types.ts';\nimport Decimal from 'decimal.js';")).toEqual([]);
  });

  it('nodes/ importing Node, a driver, runtime/ or designer/', () => {
    expect(rulesOf(check('nodes/bad.ts', "import { createHash } from 'node:crypto';"))).toEqual(['nodes-browser-safe']);
    expect(rulesOf(check('nodes/target/bad.ts', "import { readFileSync } from 'fs';"))).toEqual(['nodes-browser-safe']);
    expect(rulesOf(check('nodes/target/bad.ts', "import pg from 'pg';"))).toEqual(['nodes-browser-safe']);
    expect(rulesOf(check('nodes/source/bad.ts', "import { connect } from 'amqplib';"))).toEqual(['nodes-browser-safe']);
    expect(rulesOf(check('nodes/target/bad.ts', "import { Hono } from 'hono';"))).toEqual(['nodes-browser-safe']);
    expect(rulesOf(check('nodes/source/bad.ts', "import { evaluatorFor } from '../../runtime/evaluators.ts';"))).toEqual(['nodes-browser-safe']);
    expect(check('nodes/ok.ts', "import jsonata from 'jsonata';\nimport schema from '../flows/flow.schema.json';")).toEqual([]);
  });

  it('a use case importing an entry point, or the store importing a use case or an entry point', () => {
    expect(rulesOf(check('runtime/app/bad.ts', "import { ApiProblem } from '../api/problem.ts';"))).toEqual(['layers-point-down']);
    expect(rulesOf(check('runtime/app/bad.ts', "import { CliError } from '../cli/cli-error.ts';"))).toEqual(['layers-point-down']);
    expect(rulesOf(check('runtime/store/bad.ts', "import type { AppContext } from '../app/app-context.ts';"))).toEqual(['layers-point-down']);
    expect(rulesOf(check('runtime/store/bad.ts', "import { startQueue } from '../queue/start-queue.ts';"))).toEqual(['layers-point-down']);
    expect(check('runtime/app/ok.ts', "import type { Store } from '../store/store.ts';\nimport { runPreview } from '../preview/run-preview.ts';")).toEqual([]);
  });

  it('the CLI importing the HTTP adapter', () => {
    expect(rulesOf(check('runtime/cli/bad.ts', "const { loadExamples } = await import('../api/bootstrap.ts');"))).toEqual(['cli-not-through-api']);
    expect(rulesOf(check('runtime/cli.ts', "import { ApiProblem } from './api/problem.ts';"))).toEqual(['cli-not-through-api']);
    expect(rulesOf(check('runtime/cli/bad.ts', "import type { ApiContext } from '../api/app-env.ts';"))).toEqual(['cli-not-through-api']);
    expect(check('runtime/cli/ok.ts', "import { loadExamples } from '../app/bootstrap.ts';\nimport { AppProblem } from '../app/problem.ts';")).toEqual([]);
  });

  it('a module-level let or var in the engine, the use cases, the queue, the API or nodes/', () => {
    expect(rulesOf(check('runtime/engine/bad.ts', "let defaultEvaluator = 'compiled';\nexport const setDefault = (e) => { defaultEvaluator = e; };"))).toEqual(['no-module-state']);
    expect(rulesOf(check('runtime/app/bad.ts', 'export let promotionOrder = "ran";'))).toEqual(['no-module-state']);
    expect(rulesOf(check('runtime/queue/bad.ts', 'var retries = 3;'))).toEqual(['no-module-state']);
    expect(rulesOf(check('runtime/api/routes/bad.ts', 'let { limit, window: ms } = defaults;'))).toEqual(['no-module-state']);
    expect(check('nodes/bad.ts', 'let [first, ...rest] = [1, 2];').map((f) => f.detail)).toEqual([expect.stringContaining('let first'), expect.stringContaining('let rest')]);
    // An allowed cache is allowed by name, in its file only.
    expect(rulesOf(check('nodes/schema-validator.ts', 'let validatorCache;'))).toEqual(['no-module-state']);
    expect(check('nodes/schema-validator.ts', 'let ajv;')).toEqual([]);
    // Inside a function, a const at module level, or outside these folders: not module state of theirs.
    expect(check('runtime/engine/ok.ts', 'export function f() { let n = 0; return ++n; }\nconst cache = new Map();')).toEqual([]);
    expect(check('runtime/triggers/ok.ts', 'let timer;')).toEqual([]);
  });

  it('the designer importing runtime/ other than the API contract', () => {
    expect(rulesOf(check('designer/bad.tsx', "import type { RunRow } from '../runtime/store/store.ts';"))).toEqual(['designer-through-api-contract']);
    expect(check('designer/ok.ts', "import type { z } from 'zod';\nimport { FlowSummarySchema } from '../runtime/api/contract/schemas.ts';\nimport { catalog } from '../nodes/catalog.ts';")).toEqual([]);
  });

  it('reads every kind of import from the syntax tree', () => {
    const refs = moduleRefs({
      path: 'runtime/app/x.ts',
      text: [
        "import a from './a.ts';", "import type { B } from '../store/b.ts';", "export * from './c.ts';", "export { d } from 'd-pkg';",
        "const e = await import('./e.ts');", "type F = import('./f.ts').F;", "import g = require('g-pkg');", "const s = 'from ./not-an-import.ts';",
      ].join('\n'),
    });
    expect(refs.map((r) => r.target)).toEqual(['runtime/app/a.ts', 'runtime/store/b.ts', 'runtime/app/c.ts', 'd-pkg', 'runtime/app/e.ts', 'runtime/app/f.ts', 'g-pkg']);
  });
});

describe('the project keeps the rules', () => {
  const files = sourceFiles(ROOT, ['runtime', 'nodes', 'designer']);
  const findings = checkArchitecture(files);

  it('reads the whole tree', () => {
    expect(files.length).toBeGreaterThan(300);
    for (const path of ['runtime/app/deployments.ts', 'runtime/engine/run-flow.ts', 'nodes/catalog.ts', 'designer/main.tsx']) expect(files.map((f) => f.path)).toContain(path);
  });

  it('has no SQL or driver above the store, and imports only as the layout allows (pending tracks aside)', () => {
    const unexpected = findings.filter((f) => !PENDING[f.file]?.includes(f.rule));
    expect(shown(unexpected)).toBe('');
  });

  it('allows no module-level binding that is gone', () => {
    const gone = Object.entries(MODULE_STATE_ALLOWED).flatMap(([path, names]) => {
      const file = files.find((f) => f.path === path);
      return Object.keys(names).filter((name) => !file || !new RegExp(`^(?:export )?(?:let|var) [^=;]*\\b${name}\\b`, 'm').test(file.text)).map((name) => `${path} ${name}`);
    });
    expect(gone).toEqual([]);
  });

  it('lists no file as pending that keeps the rules already', () => {
    const stale = Object.entries(PENDING).flatMap(([file, rules]) => rules.filter((rule) => !findings.some((f) => f.file === file && f.rule === rule)).map((rule) => `${file} [${rule}]`));
    expect(stale).toEqual([]);
  });
});
