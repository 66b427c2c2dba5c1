/**
 * Golden tests of the example flows: each sample input, dry-run through its
 * flow, must give exactly the saved expected output (records, outcomes, rule
 * failures, control totals). Regenerate after an intended change with
 * `UPDATE_GOLDEN=1 npx vitest run test/flows` and review the diff.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.ts';
import { validateFlow } from '../../nodes/validate-flow.ts';
import { fileInput, loadFlowFile, loadReferenceData } from '../../runtime/flow-files.ts';
import { dryRunFlow } from '../../runtime/dry-run.ts';
import { runMappingTests } from '../../runtime/mapping-tests.ts';
import { evaluatorFor } from '../../runtime/evaluators.ts';

const FLOWS = resolve(import.meta.dirname, '../../flows');
const flowDirs = readdirSync(FLOWS, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(FLOWS, d.name, 'flow.json'))).map((d) => d.name);
const update = process.env.UPDATE_GOLDEN === '1';

describe.each(flowDirs)('example flow %s', (name) => {
  const path = join(FLOWS, name, 'flow.json');

  it('is valid', async () => {
    const { doc } = await loadFlowFile(path);
    expect(validateFlow(doc, catalog, evaluatorFor(doc))).toEqual([]);
  });

  it('passes its mapping tests', async () => {
    const { doc, dir } = await loadFlowFile(path);
    const reference = await loadReferenceData(doc, dir);
    const results = await runMappingTests(doc, { catalog, evaluator: evaluatorFor(doc), reference });
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect({ name: r.name, differences: r.differences, error: r.error }).toEqual({ name: r.name, differences: [], error: undefined });
  });

  it('gives the expected output for every sample', async () => {
    const { doc, dir } = await loadFlowFile(path);
    const reference = await loadReferenceData(doc, dir);
    expect(doc.samples?.length).toBeGreaterThan(0);
    for (const sample of doc.samples ?? []) {
      const result = await dryRunFlow({ doc, catalog, evaluator: evaluatorFor(doc), reference, input: { kind: 'document', document: fileInput(join(dir, sample)) } });
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
  });
});
