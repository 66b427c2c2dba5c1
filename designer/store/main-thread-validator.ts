/**
 * `validateFlow` on the calling thread, with the designer's own evaluator: for
 * tests, and for browsers without module workers. The flow editor checks flows
 * in a worker (worker-validator.ts), so the page loads this only when asked.
 */
import { catalog } from '../../nodes/catalog.ts';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { validateFlow, type FlowProblem } from '../../nodes/validate-flow.ts';
import { evaluator } from '../expression-runtime.ts';

export function validateOnMainThread(doc: FlowDocument): FlowProblem[] {
  return validateFlow(doc, catalog, evaluator);
}
