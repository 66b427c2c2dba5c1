/**
 * Tuple streams: paths whose steps bind the focus (`@$v`), the position
 * (`#$i`) or an ancestor for the parent operator (`%`). As in the reference
 * (evaluateTupleStep, evaluateStages, reduceTupleStream), every item carries
 * a tuple of bindings; expressions inside see them as variables. The set of
 * names a tuple holds at each step is known statically, so variable reads
 * compile to property reads of the tuple.
 */
import type { AstNode } from '../jsonata-internals.ts';
import { str, type Cx } from './emitter.ts';
import type { Gen } from './gen.ts';
import { genFilter, genKeyFunction, genSortStep, genStep } from './path.ts';
import { genGroup } from './construct.ts';

type Schema = Set<string>;

export function isTuplePath(node: AstNode): boolean {
  return node.tuple === true || node.steps!.some((s) => s.tuple === true);
}

/** The names a tuple-carrying expression adds when its tuples are merged into a step's. */
export function nestedSchema(node: AstNode): string[] {
  if (node.type === 'block' && node.tuple && node.expressions?.length) return nestedSchema(node.expressions[node.expressions.length - 1]);
  if (node.type !== 'path' || !node.tuple) return [];
  const keys = new Set<string>(['@']);
  for (const step of node.steps!) addStepKeys(step, keys);
  return [...keys];
}

function addStepKeys(step: AstNode, keys: Schema): void {
  if (step.focus !== undefined) keys.add(step.focus);
  if (step.index !== undefined) keys.add(step.index);
  if (step.ancestor) keys.add(step.ancestor.label);
  for (const k of nestedSchema(step)) keys.add(k);
}

/** A frame binding the names of the tuple held in `ident`. */
function tupleCx(g: Gen, c: Cx, key: object, ident: string, schema: Schema): Cx {
  const frame = g.openFrame('tuple', key, c.frame, { tuple: { ident, keys: new Set(schema) } });
  return { ...c, frame, ctx: g.e.bind(`${ident}["@"]`) };
}

export function genTuplePath(g: Gen, node: AstNode, c: Cx): string {
  const e = g.e;
  const steps = node.steps!;
  let input = e.bind(steps[0].type === 'variable' ? `rt.seq1(${c.ctx})` : `(Array.isArray(${c.ctx}) ? ${c.ctx} : rt.seq1(${c.ctx}))`);
  const res = e.bind('undefined');
  const tuples = e.bind('undefined');
  const reached = e.bind('false');
  const label = e.fresh('p');
  let tupleMode = false;
  let schema: Schema = new Set(['@']);
  e.emit(`${label}: {`);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const last = i === steps.length - 1;
    if (step.tuple && !tupleMode) {
      tupleMode = true;
      e.emit(`${reached} = true;`);
    }
    if (i === 0 && step.consarray) {
      e.emit(`${res} = ${g.gen(step, g.child(c, { ctx: input }))};`);
    } else if (tupleMode) {
      const first = !steps.slice(0, i).some((s) => s.tuple) || (i > 0 && steps[0].consarray && !steps.slice(1, i).some((s) => s.tuple));
      const out = genTupleStep(g, step, input, first ? null : tuples, schema, c);
      e.emit(`${tuples} = ${out.value};`);
      schema = out.schema;
      continue;
    } else {
      e.emit(`${res} = ${step.type === 'sort' ? genSortStep(g, step, input, c) : genStep(g, step, input, last, c)};`);
    }
    if (!tupleMode && !last) e.emit(`if (${res} === undefined || ${res}.length === 0) break ${label};`);
    if (step.focus === undefined && !last) input = e.bind(res);
  }
  e.emit('}');
  e.emit(`if (${reached}) ${res} = ${node.tuple ? tuples : `rt.tupleValues(${tuples})`};`);
  if (node.keepSingletonArray) {
    e.emit(`if (Array.isArray(${res}) && ${res}.cons && !${res}.sequence) ${res} = rt.seq1(${res});`);
    e.emit(`${res}.keepSingleton = true;`);
  }
  if (!node.group) return res;
  const grouped = e.bind('undefined');
  const reduce = e.capture(() => genReduceGroup(g, node.group!, tuples, g.child(c), schema));
  const plain = e.capture(() => genGroup(g, node.group!, res, g.child(c), false));
  e.emit(`if (${reached}) {`);
  e.append(reduce.lines);
  e.emit(`${grouped} = ${reduce.value};`);
  e.emit('} else {');
  e.append(plain.lines);
  e.emit(`${grouped} = ${plain.value};`);
  e.emit('}');
  return grouped;
}

/** evaluateTupleStep; `tuples` is null for the first tuple step (tuples made from the input). */
function genTupleStep(g: Gen, step: AstNode, input: string, tuples: string | null, before: Schema, c: Cx): { value: string; schema: Schema } {
  const e = g.e;
  const after = new Set(before);
  let result: string;
  if (step.type === 'sort') {
    if (tuples) {
      // jsonata numbers only the tuples it makes itself; sorted tuples lose the stream flag when sorted.
      result = genTupleSort(g, step, tuples, before, c);
      for (const stage of step.stages ?? []) result = genSortedStage(g, stage, result, after, g.child(c));
      return { value: result, schema: after };
    }
    const sorted = genSortStep(g, { ...step, stages: undefined }, input, c);
    result = e.bind(`rt.indexedTuples(${sorted}, ${step.index === undefined ? 'undefined' : str(step.index)})`);
    after.add(String(step.index));
  } else {
    result = e.bind('rt.tupleSeq()');
    const src = tuples ?? e.bind(`rt.initialTuples(${input})`);
    const i = e.fresh('i');
    const t = e.fresh('T');
    e.emit(`for (let ${i} = 0; ${i} < ${src}.length; ${i}++) {`);
    e.emit(`if (--st.ticks <= 0) rt.tick(st);`);
    e.emit(`const ${t} = ${src}[${i}];`);
    const inner = tupleCx(g, g.child(c), step, t, before);
    const v = g.gen(step, inner);
    const opt = (s: string | undefined) => (s === undefined ? 'undefined' : str(s));
    e.emit(`if (${v} !== undefined) rt.tuplePush(${result}, ${t}, ${v}, ${opt(step.focus)}, ${opt(step.index)}, ${opt(step.ancestor?.label)});`);
    e.emit('}');
    addStepKeys(step, after);
  }
  for (const stage of step.stages ?? []) {
    if (stage.type === 'index') {
      e.emit(`rt.indexTuples(${result}, ${str(stage.value!)});`);
      after.add(stage.value!);
    } else result = genTupleFilter(g, stage, result, after, g.child(c));
  }
  return { value: result, schema: after };
}

/** evaluateFilter over a tuple stream: each predicate sees its tuple's bindings. */
export function genTupleFilter(g: Gen, stage: { expr?: AstNode }, value: string, schema: Schema, c: Cx): string {
  const e = g.e;
  const pred = stage.expr!;
  if (pred.type === 'number') return genFilter(g, pred, value, c);
  const out = e.bind('rt.tupleSeq()');
  const i = e.fresh('i');
  const t = e.fresh('T');
  e.emit(`for (let ${i} = 0; ${i} < ${value}.length; ${i}++) {`);
  e.emit(`if (--st.ticks <= 0) rt.tick(st);`);
  e.emit(`const ${t} = ${value}[${i}];`);
  const inner = tupleCx(g, c, stage, t, schema);
  const res = g.gen(pred, inner);
  e.emit(`for (let n = ${g.predicateTest(pred, res, i, `${value}.length`)}; n > 0; n--) ${out}.push(${t});`);
  e.emit('}');
  return out;
}

/** A stage after sorting tuples: a tuple stream only when the sort left it as it was (≤ 1 item). */
function genSortedStage(g: Gen, stage: { type: string; expr?: AstNode; value?: string }, value: string, schema: Schema, c: Cx): string {
  const e = g.e;
  if (stage.type === 'index') {
    e.emit(`rt.indexTuples(${value}, ${str(stage.value!)});`);
    schema.add(stage.value!);
    return value;
  }
  const r = e.bind('undefined');
  const asTuples = e.capture(() => genTupleFilter(g, stage, value, schema, c));
  const asItems = e.capture(() => genFilter(g, stage.expr!, value, c));
  e.emit(`if (${value}.tupleStream) {`);
  e.append(asTuples.lines);
  e.emit(`${r} = ${asTuples.value};`);
  e.emit('} else {');
  e.append(asItems.lines);
  e.emit(`${r} = ${asItems.value};`);
  e.emit('}');
  return r;
}

/**
 * A predicate on an expression that may evaluate to a tuple stream (a
 * tuple-carrying path or block): evaluateFilter decides by the value's flag.
 */
export function genMaybeTupleFilter(g: Gen, stage: { expr: AstNode }, value: string, schema: string[], c: Cx): string {
  const e = g.e;
  if (stage.expr.type === 'number') return genFilter(g, stage.expr, value, c);
  const r = e.bind('undefined');
  const asTuples = e.capture(() => genTupleFilter(g, stage, value, new Set(schema), c));
  const asItems = e.capture(() => genFilter(g, stage.expr, value, c));
  e.emit(`if (${value} && ${value}.tupleStream) {`);
  e.append(asTuples.lines);
  e.emit(`${r} = ${asTuples.value};`);
  e.emit('} else {');
  e.append(asItems.lines);
  e.emit(`${r} = ${asItems.value};`);
  e.emit('}');
  return r;
}

/** Order-by over a tuple stream: the terms see each tuple's bindings. */
function genTupleSort(g: Gen, step: AstNode, tuples: string, schema: Schema, c: Cx): string {
  const e = g.e;
  const res = e.bind(tuples);
  e.emit(`if (${tuples}.length > 1) {`);
  const keys = (step.terms ?? []).map((term) =>
    genKeyFunction(g, term.expression, c, (x) => tupleCx(g, g.child(c), term, x, schema)),
  );
  const a = e.fresh('a');
  const b = e.fresh('b');
  const aw = g.aw;
  const terms = (step.terms ?? []).map(
    (term, k) => `if (comp === 0) comp = rt.sortCompare(${aw}${keys[k]}(${a}), ${aw}${keys[k]}(${b}), ${term.descending === true}, ${step.position});`,
  );
  const sorter = g.async ? 'await rt.mergeSortA' : 'rt.mergeSort';
  e.emit(`${res} = ${sorter}(${tuples}, ${g.async ? 'async ' : ''}(${a}, ${b}) => { if (--st.ticks <= 0) rt.tick(st); let comp = 0; ${terms.join(' ')} return comp === 1; });`);
  e.emit('}');
  return res;
}

/** evaluateGroupExpression over a tuple stream (reduce mode). */
function genReduceGroup(g: Gen, group: { lhs: [AstNode, AstNode][]; position?: number }, tuples: string, c: Cx, schema: Schema): string {
  const e = g.e;
  const groups = e.bind('Object.create(null)');
  const i = e.fresh('i');
  const t = e.fresh('T');
  e.emit(`for (let ${i} = 0; ${i} < ${tuples}.length; ${i}++) {`);
  e.emit(`const ${t} = ${tuples}[${i}];`);
  const keyCx = tupleCx(g, c, group, t, schema);
  group.lhs.forEach(([key], j) => {
    const k = g.gen(key, keyCx);
    e.emit(`rt.groupAdd(${groups}, ${k}, ${j}, ${t}, ${group.position});`);
  });
  e.emit('}');
  const o = e.bind('{}');
  const key = e.fresh('k');
  const entry = e.fresh('g');
  const reduced = e.fresh('T');
  const v = e.fresh('v');
  e.emit(`for (const ${key} of Object.keys(${groups})) {`);
  e.emit(`const ${entry} = ${groups}[${key}]; const ${reduced} = rt.reduceTuples(${entry}.data); let ${v};`);
  const valueSchema = new Set(schema);
  valueSchema.delete('@');
  e.emit(`switch (${entry}.idx) {`);
  group.lhs.forEach(([, value], j) => {
    e.emit(`case ${j}: {`);
    const frame = g.openFrame('tuple', group.lhs[j], c.frame, { tuple: { ident: `${reduced}.tuple`, keys: valueSchema } });
    const r = g.gen(value, { ...c, frame, ctx: `${reduced}.context` });
    e.emit(`${v} = ${r}; break; }`);
  });
  e.emit('}');
  e.emit(`if (${v} !== undefined) rt.setKey(${o}, ${key}, ${v});`);
  e.emit('}');
  return o;
}
