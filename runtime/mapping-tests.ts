/**
 * Mapping tests stored with a flow: "this input gives this output", checked
 * by a dry run. Failures come back as field-level differences. These are the
 * tests that gate promotion.
 */
import type { ConnectionResolver, ReferenceData } from '../nodes/define-node.ts';
import { expandSubflows } from '../nodes/subflow/expand.ts';
import type { FlowDocument, MappingTest } from '../nodes/flow-document.ts';
import type { NodeCatalog } from '../nodes/node-catalog.ts';
import type { ExpressionEvaluator } from '../nodes/expression/evaluator.ts';
import type { MappingTestResult } from '../nodes/mapping-test-result.ts';
import { diffValues } from '../nodes/value-diff.ts';
import { dryRunFlow } from './dry-run.ts';

export type { MappingTestResult };

/** `connections`: what lookups read (the dev environment's, or a test database); absent, none is opened. */
export interface MappingTestDeps { catalog: NodeCatalog; evaluator: ExpressionEvaluator; reference: ReferenceData; connections?: ConnectionResolver }

export async function runMappingTests(doc: FlowDocument, deps: MappingTestDeps): Promise<MappingTestResult[]> {
  const results: MappingTestResult[] = [];
  for (const test of doc.tests ?? []) results.push(await runMappingTest(doc, test, deps));
  return results;
}

export async function runMappingTest(doc: FlowDocument, test: MappingTest, deps: MappingTestDeps): Promise<MappingTestResult> {
  const base = { name: test.name, node: test.node ?? null, expected: test.expected };
  let result;
  try {
    result = await dryRunFlow({ doc, ...deps, input: { kind: 'records', records: [{ data: test.input }] } });
  } catch (err) {
    return { ...base, passed: false, actual: undefined, differences: [], error: (err as Error).message };
  }
  if (result.status === 'failed') return { ...base, passed: false, actual: undefined, differences: [], error: result.error?.message };
  // Captured outputs are unmasked (traces are masked), so sensitive fields compare too.
  // Targets inside a sub-flow run as `<sub-flow node>/<target>`: the expanded flow names them.
  const targets = expandSubflows(doc).nodes.filter((n) => deps.catalog.get(n.type)?.category === 'target').map((n) => n.id);
  const outputs = (test.node ? [test.node] : targets).flatMap((id) => (result.outputs?.[id] ?? []).map((o) => o.data));
  const actual = outputs.length === 1 ? outputs[0] : outputs.length === 0 ? undefined : outputs;
  const differences = diffValues(test.expected, actual);
  const stopped = result.traces.find((t) => t.outcome === 'quarantined' || t.outcome === 'dead_lettered');
  return {
    ...base, actual, differences, passed: differences.length === 0,
    ...(differences.length && stopped?.error ? { error: `${stopped.outcome} at ${stopped.endNode}: ${stopped.error.message}` } : {}),
  };
}
