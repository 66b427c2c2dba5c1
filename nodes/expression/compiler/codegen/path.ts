/**
 * Location paths: evaluatePath / evaluateStep / evaluateFilter /
 * evaluateSortExpression of the reference, as inline loops. A path of plain
 * field names becomes a single walk over the objects (the common case in
 * mappings), which defers to the general rules whenever it meets an array.
 */
import type { AstNode } from '../jsonata-internals.ts';
import { literal, str, type Cx } from './emitter.ts';
import type { Gen } from './gen.ts';
import { genTuplePath, isTuplePath } from './tuple.ts';
import { genGroup } from './construct.ts';

function plainName(step: AstNode): boolean {
  return (
    step.type === 'name' &&
    !step.stages &&
    !step.predicate &&
    !step.group &&
    !step.keepArray &&
    !step.tuple &&
    step.focus === undefined &&
    step.index === undefined &&
    !step.ancestor
  );
}

export function genPath(g: Gen, node: AstNode, c: Cx): string {
  const steps = node.steps!;
  if (isTuplePath(node)) return genTuplePath(g, node, c);
  const simple = !node.group && !node.keepSingletonArray;
  if (simple && steps.every(plainName)) {
    g.leaf(g.child(c));
    return walked(g, walkExpr(g, c.ctx, steps));
  }
  if (simple && steps.length > 1 && isPlainVariable(steps[0]) && steps.slice(1).every(plainName)) {
    const first = g.gen(steps[0], g.child(c));
    g.leaf(g.child(c));
    const rest = steps.slice(1);
    const slow = `rt.walkFrom(${first}, ${g.e.konst(rest.map((s) => s.value as string))})`;
    // An array value is flattened first (rt.walkFrom); a single value is walked like a context.
    return walked(g, walkExpr(g, first, rest, slow, true));
  }

  const res = g.e.bind('undefined');
  const label = g.e.fresh('p');
  // A leading run of plain field names is walked in one go.
  let prefix = 0;
  while (prefix < steps.length - 1 && plainName(steps[prefix])) prefix++;
  let input: string;
  if (prefix > 0) {
    g.leaf(g.child(c));
    input = g.e.bind(`rt.stepInput(${walkExpr(g, c.ctx, steps.slice(0, prefix))})`);
    g.e.emit(`${label}: {`);
    g.e.emit(`${res} = ${input};`);
    g.e.emit(`if (${input}.length === 0) break ${label};`);
  } else {
    input = g.e.bind(steps[0].type === 'variable' ? `rt.seq1(${c.ctx})` : `(Array.isArray(${c.ctx}) ? ${c.ctx} : rt.seq1(${c.ctx}))`);
    g.e.emit(`${label}: {`);
  }
  for (let i = prefix; i < steps.length; i++) {
    const step = steps[i];
    const last = i === steps.length - 1;
    let value: string;
    if (i === 0 && step.consarray) value = g.gen(step, g.child(c, { ctx: input }));
    else if (step.type === 'sort') value = genSortStep(g, step, input, c);
    else value = genStep(g, step, input, last, c);
    g.e.emit(`${res} = ${value};`);
    if (!last) {
      g.e.emit(`if (${res} === undefined || ${res}.length === 0) break ${label};`);
      input = g.e.bind(res);
    }
  }
  g.e.emit('}');
  if (node.keepSingletonArray) {
    g.e.emit(`if (Array.isArray(${res}) && ${res}.cons && !${res}.sequence) ${res} = rt.seq1(${res});`);
    g.e.emit(`${res}.keepSingleton = true;`);
  }
  if (node.group) return genGroupOf(g, node, res, c);
  return res;
}

/**
 * A walk over plain field names, inline so that every property access has its
 * own inline cache; arrays (or sequences) anywhere hand over to `rt.walk`,
 * which applies the general rules from the start.
 */
function walkExpr(g: Gen, ctx: string, steps: AstNode[], slowPath?: string, fromValue = false): string {
  const e = g.e;
  const names = steps.map((s) => s.value as string);
  const slow = slowPath ?? (names.length === 1 ? `rt.walk1(${ctx}, ${str(names[0])})` : `rt.walk(${ctx}, ${e.konst(names)})`);
  if (names.length > 6) return slow;
  const r = e.bind(ctx, 'w');
  const label = e.fresh('w');
  e.emit(`${label}: {`);
  if (fromValue) e.emit(`if (Array.isArray(${r})) { ${r} = ${slow}; break ${label}; }`);
  for (const name of names) {
    e.emit(`if (${r} === null || typeof ${r} !== 'object') { ${r} = undefined; break ${label}; }`);
    e.emit(
      `if (Array.isArray(${r}) || !rt.hasOwn.call(${r}, ${str(name)}) || ${r}._jsonata_function === true || ${r}._jsonata_lambda === true) { ${r} = Array.isArray(${r}) ? ${slow} : undefined; break ${label}; }`,
    );
    e.emit(`${r} = ${r}[${str(name)}];`);
  }
  e.emit(`if (Array.isArray(${r}) && ${r}.sequence === true) ${r} = ${slow};`);
  e.emit('}');
  return r;
}

function walked(g: Gen, expr: string): string {
  const v = g.e.bind(expr);
  g.normalized.add(v);
  return v;
}

function isPlainVariable(step: AstNode): boolean {
  return step.type === 'variable' && !step.stages && !step.predicate && !step.group && !step.keepArray && !step.tuple;
}

function genGroupOf(g: Gen, node: AstNode, value: string, c: Cx): string {
  // evaluateGroupExpression runs inside evaluatePath: its expressions sit one level below the path.
  return genGroup(g, node.group!, value, g.child(c), false);
}

/** evaluateStep: the step over every item of the input, results flattened. */
export function genStep(g: Gen, step: AstNode, input: string, last: boolean, c: Cx): string {
  const e = g.e;
  const out = e.bind('rt.seq()');
  const count = e.bind('0');
  const first = e.bind('undefined');
  const i = e.fresh('i');
  const item = e.fresh('c');
  e.emit(`for (let ${i} = 0; ${i} < ${input}.length; ${i}++) {`);
  e.emit(`if (--st.ticks <= 0) rt.tick(st);`);
  e.emit(`const ${item} = ${input}[${i}];`);
  const inner = g.child(c, { ctx: item });
  let r = g.gen(step, inner);
  for (const stage of step.stages ?? []) r = genFilter(g, stage.expr!, r, inner);
  e.emit(`if (${r} !== undefined) { ${count}++; ${first} = ${r}; rt.pushFlat(${out}, ${r}); }`);
  e.emit('}');
  if (last) e.emit(`if (${count} === 1 && Array.isArray(${first}) && ${first}.sequence !== true) ${out} = ${first};`);
  return out;
}

/** evaluateFilter: a predicate applied to a value; the result is a sequence (not unwrapped). */
export function genFilter(g: Gen, pred: AstNode, value: string, c: Cx): string {
  const e = g.e;
  if (pred.type === 'number') return e.bind(`rt.pickIndex(${value}, ${literal(pred.value)})`);
  const arr = e.bind(`(Array.isArray(${value}) ? ${value} : rt.seq1(${value}))`);
  const out = e.bind('rt.seq()');
  e.emit(`if (${value} && ${value}.tupleStream) ${out}.tupleStream = true;`);
  const i = e.fresh('i');
  const item = e.fresh('c');
  e.emit(`for (let ${i} = 0; ${i} < ${arr}.length; ${i}++) {`);
  e.emit(`if (--st.ticks <= 0) rt.tick(st);`);
  e.emit(`const ${item} = ${arr}[${i}];`);
  const res = g.gen(pred, { ...c, ctx: item });
  e.emit(`for (let n = ${g.predicateTest(pred, res, i, `${arr}.length`)}; n > 0; n--) ${out}.push(${item});`);
  e.emit('}');
  return out;
}

/** evaluateSortExpression (order-by) followed by the step's stages. */
export function genSortStep(g: Gen, step: AstNode, input: string, c: Cx): string {
  const e = g.e;
  const res = e.bind(input);
  e.emit(`if (${input}.length > 1) {`);
  const keys = (step.terms ?? []).map((term) => genKeyFunction(g, term.expression, c));
  const a = e.fresh('a');
  const b = e.fresh('b');
  const aw = g.aw;
  const terms = (step.terms ?? []).map(
    (term, k) => `if (comp === 0) comp = rt.sortCompare(${aw}${keys[k]}(${a}), ${aw}${keys[k]}(${b}), ${term.descending === true}, ${step.position});`,
  );
  const sorter = g.async ? 'await rt.mergeSortA' : 'rt.mergeSort';
  e.emit(`${res} = ${sorter}(${input}, ${g.async ? 'async ' : ''}(${a}, ${b}) => { if (--st.ticks <= 0) rt.tick(st); let comp = 0; ${terms.join(' ')} return comp === 1; });`);
  e.emit('}');
  let r = res;
  for (const stage of step.stages ?? []) r = genFilter(g, stage.expr!, r, g.child(c));
  return r;
}

/** A sort term as a function of the item (evaluated one level below the path). */
export function genKeyFunction(g: Gen, expr: AstNode, c: Cx, cxOf?: (x: string) => Cx): string {
  const x = g.e.fresh('x');
  const body = g.e.capture(() => g.gen(expr, cxOf ? cxOf(x) : g.child(c, { ctx: x })));
  const fn = g.e.fresh('k');
  g.e.emit(`const ${fn} = ${g.async ? 'async ' : ''}(${x}) => {`);
  g.e.append(body.lines);
  g.e.emit(`return ${body.value};`);
  g.e.emit('};');
  return fn;
}
