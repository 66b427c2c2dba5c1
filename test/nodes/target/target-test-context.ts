/** Contexts for target tests: a setup context with a stub evaluator, and a target context over given connections. */
import type { ConnectionResolver, FileSink, HttpConnection, NodeSetupContext, SqlClient, TargetContext } from '../../../nodes/define-node.ts';
import type { ExpressionEvaluator } from '../../../nodes/expression/evaluator.ts';
import { FlowError } from '../../../nodes/errors.ts';
import { EMPTY_REFERENCE_DATA } from '../../../nodes/reference-data.ts';

/** An evaluator whose `check` only rejects empty text and unbalanced parentheses; targets never evaluate. */
export const stubEvaluator: ExpressionEvaluator = {
  name: 'stub',
  compile() {
    throw new Error('targets do not compile expressions');
  },
  check(source) {
    const opens = (source.match(/\(/g) ?? []).length;
    const closes = (source.match(/\)/g) ?? []).length;
    return opens === closes ? null : { message: 'unbalanced parentheses', position: source.length };
  },
};

export function setupContext(nodeId = 'target-1'): NodeSetupContext {
  return {
    nodeId,
    evaluator: stubEvaluator,
    reference: EMPTY_REFERENCE_DATA,
    functions: {},
  };
}

export function connections(sql: Record<string, SqlClient> = {}, http: Record<string, HttpConnection> = {}): ConnectionResolver {
  return {
    sql(name) {
      if (!sql[name]) throw new FlowError('permanent', `connection '${name}' is not configured for this environment`);
      return sql[name];
    },
    http(name) {
      if (!http[name]) throw new FlowError('permanent', `connection '${name}' is not configured for this environment`);
      return http[name];
    },
  };
}

export function targetContext(parts: Partial<TargetContext> = {}): TargetContext {
  const files: FileSink = { append: async () => undefined };
  return {
    connections: connections(),
    files,
    fetch: globalThis.fetch,
    signal: new AbortController().signal,
    ...parts,
  };
}
