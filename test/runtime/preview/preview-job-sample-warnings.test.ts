/**
 * The designer's test run names target field paths that match nothing in the records reaching the target
 * (`sampleWarnings`, listed by the problems panel), as `ledgerflow validate --sample` does (issue 15, points 4 and 6).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEvaluatorRegistry } from '../../../runtime/evaluators.ts';
import { runPreviewJob } from '../../../runtime/preview/preview-job.ts';
import { CAMT054_PATH, camt054Flow } from '../fan-out-items-fixtures.ts';

const run = (doc: ReturnType<typeof camt054Flow>) => runPreviewJob({
  kind: 'test-run', doc, evaluator: 'jsonata', reference: {}, input: { kind: 'document', name: 'camt054.xml', bytes: new Uint8Array(readFileSync(CAMT054_PATH)) },
  captureOutputs: 100, maxTraces: 100, timeoutMs: 60_000,
}, { evaluators: createEvaluatorRegistry() }) as Promise<{ status: string; sampleWarnings?: { code: string; nodeId: string; configPath: string; message: string }[] }>;

describe('test run: target field paths that match nothing in the sample', () => {
  it('names a Postgres column path that gives nothing for the records reaching the target', async () => {
    const doc = camt054Flow('camt054-preview-typo', 'entries');
    (doc.nodes[3].config as { columns: Record<string, string> }).columns.currency = 'ccy';
    const result = await run(doc);
    expect(result.sampleWarnings).toEqual([expect.objectContaining({ code: 'TARGET_FIELD_MATCHED_NOTHING', nodeId: 'post', configPath: '/columns/currency' })]);
    expect(result.sampleWarnings?.[0].message).toContain('The field path ccy (column currency of target \'post\') gave nothing for any of the 5 record(s) reaching it in the sample camt054.xml');
  });

  it('has none when every path matches', async () => {
    expect((await run(camt054Flow('camt054-preview-fine', 'entries'))).sampleWarnings).toBeUndefined();
  });
});
