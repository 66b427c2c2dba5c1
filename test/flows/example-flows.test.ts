/**
 * Golden tests of the example flows: each sample input, dry-run through its
 * flow, must give exactly the saved expected output (records, outcomes, rule
 * failures, control totals). Regenerate after an intended change with
 * `UPDATE_GOLDEN=1 npx vitest run test/flows` and review the diff.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import type { ConnectionResolver, SqlClient } from '../../nodes/define-node.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { catalog } from '../../nodes/catalog.ts';
import { validateFlow } from '../../nodes/validate-flow.ts';
import { fileInput, loadFlowFile, loadReferenceData } from '../../runtime/flow-files.ts';
import { dryRunFlow } from '../../runtime/dry-run.ts';
import { runMappingTests } from '../../runtime/mapping-tests.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';

const evaluators = createEvaluatorRegistry();

/**
 * A flow with lookups reads live data: its dry runs get an in-memory database holding the flow's
 * setup.sql (its tables and the rows its samples refer to), as the designer's preview reads the dev
 * environment's connection. Targets are never written in a dry run.
 */
async function lookupDatabase(doc: FlowDocument, dir: string): Promise<{ connections: ConnectionResolver; close(): Promise<void> } | undefined> {
  if (!doc.nodes.some((n) => n.type === 'transform.lookup') || !existsSync(join(dir, 'setup.sql'))) return undefined;
  const db = new PGlite();
  await db.exec(await readFile(join(dir, 'setup.sql'), 'utf8'));
  const sql: SqlClient = {
    query: async <R,>(text: string, params?: unknown[]) => {
      const r = await db.query<R>(text, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? null };
    },
    transaction: async (fn) => fn(sql),
  };
  return {
    connections: { sql: () => sql, http: (name) => { throw new Error(`no HTTP connection '${name}' in the example tests`); } },
    close: () => db.close(),
  };
}

const FLOWS = resolve(import.meta.dirname, '../../flows');
const flowDirs = readdirSync(FLOWS, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(FLOWS, d.name, 'flow.json'))).map((d) => d.name);
const update = process.env.UPDATE_GOLDEN === '1';

describe.each(flowDirs)('example flow %s', (name) => {
  const path = join(FLOWS, name, 'flow.json');

  it('is valid', async () => {
    const { doc } = await loadFlowFile(path);
    expect(validateFlow(doc, catalog, evaluators.for(doc))).toEqual([]);
  });

  it('passes its mapping tests', { timeout: 300_000 }, async () => {
    const { doc, dir } = await loadFlowFile(path);
    const reference = await loadReferenceData(doc, dir);
    const lookups = await lookupDatabase(doc, dir);
    const results = await runMappingTests(doc, { catalog, evaluator: evaluators.for(doc), reference, connections: lookups?.connections }).finally(() => lookups?.close());
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect({ name: r.name, differences: r.differences, error: r.error }).toEqual({ name: r.name, differences: [], error: undefined });
  });

  it('gives the expected output for every sample', async () => {
    const { doc, dir } = await loadFlowFile(path);
    const reference = await loadReferenceData(doc, dir);
    expect(doc.samples?.length).toBeGreaterThan(0);
    for (const sample of doc.samples ?? []) {
      const lookups = await lookupDatabase(doc, dir);
      const result = await dryRunFlow({
        doc, catalog, evaluator: evaluators.for(doc), reference, input: { kind: 'document', document: fileInput(join(dir, sample)) }, connections: lookups?.connections,
      }).finally(() => lookups?.close());
      const actual = {
        status: result.status,
        error: result.error?.message,
        counts: result.counts,
        reconciliation: { closes: result.reconciliation.closes, totals: result.reconciliation.totals },
        records: result.traces
          .sort((a, b) => a.lineageKey.localeCompare(b.lineageKey, 'en', { numeric: true }))
          .map((t) => ({
            lineageKey: t.lineageKey, businessKey: t.businessKey, outcome: t.outcome, endNode: t.endNode,
            ...(t.idempotencyKey ? { idempotencyKey: t.idempotencyKey } : {}),
            ...(t.failures?.length ? { failures: t.failures.map((f) => `${f.severity} ${f.rule}: ${f.message}`) } : {}),
            ...(t.error && !t.failures?.length ? { error: `${t.error.errorClass}: ${t.error.message}` } : {}),
            output: t.output,
          })),
      };
      const goldenPath = join(dir, 'expected', `${basename(sample)}.json`);
      if (update || !existsSync(goldenPath)) {
        if (!update) throw new Error(`no expected output for ${sample}: run UPDATE_GOLDEN=1 npx vitest run test/flows and review it`);
        await mkdir(join(dir, 'expected'), { recursive: true });
        await writeFile(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
      }
      const expected = JSON.parse(await readFile(goldenPath, 'utf8'));
      expect(actual, `${name}: ${sample}`).toEqual(expected);
    }
  }, 300_000);
});
