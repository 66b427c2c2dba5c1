/**
 * Runs `validateFlow` off the main thread: the first check of a large flow
 * compiles every node type's schema and parses every expression (a few
 * hundred milliseconds), which must not freeze the canvas.
 */
import { catalog } from '../../nodes/catalog.ts';
import { validateFlow } from '../../nodes/validate-flow.ts';
import { createReferenceEvaluator } from '../../nodes/expression/jsonata-evaluator.ts';

// Checking an expression is parsing it with jsonata's own parser, whichever evaluator then runs it
// (the compiled one checks exactly so): the worker needs no compiler.
const evaluator = createReferenceEvaluator({ cacheSize: 500 });

self.onmessage = (e: MessageEvent<{ seq: number; doc: unknown }>) => {
  const { seq, doc } = e.data;
  let problems;
  try {
    problems = validateFlow(doc, catalog, evaluator);
  } catch (err) {
    problems = [{ code: 'schema', path: '', message: `The flow could not be checked: ${(err as Error).message}` }];
  }
  (self as unknown as Worker).postMessage({ seq, problems });
};
