/**
 * Expressions held in a node's config, addressed by their JSON pointer: one
 * place to syntax-check them (for `check()`) and to compile them (for
 * `create()`), so node types do not each repeat the error handling.
 */
import type { ConfigProblem, NodeSetupContext } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';
import type { CompiledExpression, EvaluationLimits, ExpressionEvaluator } from './evaluator.ts';
import { checkTemplate, compileTemplate, type MessageTemplate } from './message-template.ts';

/** An expression field of a config, or a message with `{{…}}` placeholders. */
export interface ConfigExpression {
  /** JSON pointer within the config, e.g. `/rules/2/expression`. */
  path: string;
  source: string;
  /** A message template (only the placeholders are expressions). */
  template?: boolean;
  /** An empty expression is a problem unless this is set. */
  optional?: boolean;
}

/** Syntax problems of every listed expression, each with its config path. */
export function checkConfigExpressions(list: ConfigExpression[], evaluator: ExpressionEvaluator): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const item of list) {
    if (item.template) {
      for (const p of checkTemplate(item.source ?? '', (s) => evaluator.check(s))) {
        problems.push({ path: item.path, message: `In a {{…}} placeholder: ${p.message}`, position: p.position, code: p.code });
      }
      continue;
    }
    if (typeof item.source !== 'string' || item.source.trim() === '') {
      if (!item.optional) problems.push({ path: item.path, message: 'The expression is empty' });
      continue;
    }
    const problem = evaluator.check(item.source);
    if (problem) problems.push({ path: item.path, ...problem });
  }
  return problems;
}

/**
 * Compiles one config expression with the run's functions. A syntax error
 * becomes a `mapping` FlowError naming the node and the config field.
 */
export function compileConfigExpression(
  setup: NodeSetupContext,
  path: string,
  source: string,
  limits?: Partial<EvaluationLimits>,
): CompiledExpression {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new FlowError('mapping', `Node "${setup.nodeId}": the expression at ${path} is empty`, { nodeId: setup.nodeId, field: path });
  }
  try {
    return setup.evaluator.compile(source, { functions: setup.functions, ...(limits ? { limits } : {}) });
  } catch (err) {
    const e = toFlowError(err, 'mapping');
    throw new FlowError('mapping', `Node "${setup.nodeId}", expression at ${path}: ${e.message}`, {
      ...e.details,
      nodeId: setup.nodeId,
      field: path,
      cause: err,
    });
  }
}

/** Compiles a message template's placeholders (see message-template.ts). */
export function compileConfigTemplate(setup: NodeSetupContext, path: string, message: string): MessageTemplate {
  return compileTemplate(message, (placeholder) => {
    try {
      return compileConfigExpression(setup, path, placeholder.source);
    } catch (err) {
      if (err instanceof FlowError && typeof err.details.position === 'number') {
        // Point into the message, not into the placeholder.
        (err.details as { position?: number }).position = placeholder.offset + err.details.position;
      }
      throw err;
    }
  });
}

/** Adds the node id (and config field) to an evaluation error, keeping its class and code. */
export function nodeError(err: unknown, nodeId: string, field?: string): FlowError {
  const e = toFlowError(err, 'mapping', { nodeId });
  if (field && !e.details.field) (e.details as { field?: string }).field = field;
  return e;
}
