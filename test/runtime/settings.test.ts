/**
 * Settings: parsed once by one schema, bad values named with what is allowed,
 * the README's table equal to the schema's, and no other module reading the
 * environment.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError, settingsSchema, settingsTable } from '../../runtime/settings.ts';

const ROOT = resolve(import.meta.dirname, '../..');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.(ts|tsx|mjs)$/.test(e.name)).map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseSettings(env);
  } catch (err) {
    if (err instanceof SettingsError) return err.problems;
    throw err;
  }
  return [];
}

describe('settings', () => {
  it('defaults when nothing is set; an empty value counts as unset', () => {
    const s = parseSettings({ PORT: '', LEDGERFLOW_BODY_LIMIT: '' });
    expect(s).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: '.ledgerflow', bodyLimitBytes: 10 * 1024 * 1024, sessionHours: 12, worker: true, examples: true, httpClient: 'keep-alive', logLevel: 'info', retention: { snapshotDays: 90, lineageDays: 3650 } });
    expect(s.environments.map((e) => e.name)).toEqual(['dev', 'test', 'prod']);
    expect(s.databaseUrl).toBeUndefined();
  });

  it('parses what is set into typed values', () => {
    const s = parseSettings({ PORT: '0', LEDGERFLOW_BODY_LIMIT: '2048', LEDGERFLOW_SESSION_HOURS: '0.5', LEDGERFLOW_WORKER: '0', LEDGERFLOW_EXAMPLES: 'false', LEDGERFLOW_ENVIRONMENTS: 'dev,uat!,prod', DATABASE_URL: 'postgresql://u@db:5432/lf', LEDGERFLOW_HTTP_CLIENT: 'fetch', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect(s).toMatchObject({ port: 0, bodyLimitBytes: 2048, sessionHours: 0.5, worker: false, examples: false, databaseUrl: 'postgresql://u@db:5432/lf', httpClient: 'fetch', otlpEndpoint: 'http://127.0.0.1:4318' });
    expect(s.environments.map((e) => [e.name, e.requiresApproval])).toEqual([['dev', false], ['uat', true], ['prod', false]]);
  });

  it('a bad value is named with what is allowed (no NaN gets through)', () => {
    expect(problemsOf({ LEDGERFLOW_BODY_LIMIT: 'abc' })).toEqual(["LEDGERFLOW_BODY_LIMIT is 'abc': allowed is a whole number of bytes ≥ 1024."]);
    const problems = problemsOf({ PORT: '70000', LEDGERFLOW_SESSION_HOURS: '-1', LEDGERFLOW_WORKER: 'maybe', DATABASE_URL: 'mysql://x', LEDGERFLOW_ENVIRONMENTS: 'Dev', LEDGERFLOW_SECRET_KEY: 'c2hvcnQ=' });
    expect(problems).toHaveLength(6);
    expect(problems).toContain("PORT is '70000': allowed is a TCP port, 0–65535 (0: any free port).");
    expect(problems).toContain("LEDGERFLOW_WORKER is 'maybe': allowed is 0 or 1 (true/false).");
    expect(problems.find((p) => p.startsWith('LEDGERFLOW_ENVIRONMENTS'))).toMatch(/'Dev' is not a valid environment name/);
    // Secret values are never echoed back.
    expect(problems.find((p) => p.startsWith('LEDGERFLOW_SECRET_KEY'))).not.toContain('c2hvcnQ=');
    expect(problems.find((p) => p.startsWith('DATABASE_URL'))).not.toContain('mysql://x');
  });

  it('the README settings table is the one generated from the schema', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- settings-table:begin -->\n([\s\S]*?)\n<!-- settings-table:end -->/.exec(readme);
    expect(block, 'README.md has no settings table markers').not.toBeNull();
    const names = (table: string) => [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(names(block![1])).toEqual(Object.keys(settingsSchema.shape).sort());
    expect(block![1]).toBe(settingsTable());
  });

  it('every setting the runtime mentions is in the schema, and only the composition root reads process.env', async () => {
    const files = [...(await sourceFiles('runtime')), ...(await sourceFiles('nodes'))];
    const known = new Set(Object.keys(settingsSchema.shape));
    const unknown: string[] = [];
    const readers: string[] = [];
    for (const file of files) {
      const text = await readFile(join(ROOT, file), 'utf8');
      for (const [name] of text.matchAll(/\b(LEDGERFLOW|OTEL)_[A-Z][A-Z0-9_]*\b/g)) if (!known.has(name)) unknown.push(`${file}: ${name}`);
      if (text.includes('process.env')) readers.push(file);
    }
    expect(unknown).toEqual([]);
    // designer-build.ts only sets NODE_ENV=production for vite's build of the designer, as vite expects.
    expect(readers).toEqual(['runtime/cli.ts', 'runtime/designer-build.ts']);
  });

  it('a bad setting stops the process with exit 2 and a message naming it', async () => {
    const run = promisify(execFile)(process.execPath, [join(ROOT, 'runtime/bin/ledgerflow.mjs'), 'nodes'], { env: { ...process.env, LEDGERFLOW_BODY_LIMIT: 'abc' } });
    const failure = await run.then(() => null, (err: { code: number; stderr: string; stdout: string }) => err);
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain("LEDGERFLOW_BODY_LIMIT is 'abc': allowed is a whole number of bytes ≥ 1024.");
    expect(failure?.stdout).toBe('');
  }, 30_000);
});
