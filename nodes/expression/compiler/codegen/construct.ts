/**
 * Constructors: arrays `[…]`, objects `{…}` and grouping `path{…}`
 * (evaluateGroupExpression), and the transform `|pattern|update,delete|`.
 * An object constructor whose keys are all string literals compiles to plain
 * property assignments; computed keys go through the reference's grouping.
 */
import type { AstNode } from '../jsonata-internals.ts';
import { str, Unsupported, type Cx } from './emitter.ts';
import type { Gen } from './gen.ts';
import { genFunctionBody } from './call.ts';

export function genArray(g: Gen, node: AstNode, c: Cx): string {
  const e = g.e;
  const r = e.bind('[]');
  const items = node.expressions ?? [];
  if (items.length === 0) g.leaf(c);
  for (const item of items) {
    const v = g.gen(item, g.child(c));
    if (item.value === '[') e.emit(`if (${v} !== undefined) ${r}.push(${v});`);
    else e.emit(`if (${v} !== undefined) rt.pushFlat(${r}, ${v}, true, st);`);
  }
  if (node.consarray) e.emit(`rt.cons(${r});`);
  return r;
}

export function genObject(g: Gen, node: AstNode, c: Cx): string {
  return genGroup(g, { lhs: node.lhs, position: node.position }, c.ctx, g.child(c), false);
}

const RESERVED_KEYS = new Set(['_jsonata_lambda', '_jsonata_function']);

/** Literal keys in the order jsonata evaluates their values (Object.keys order), or null. */
function literalKeys(pairs: [AstNode, AstNode][]): number[] | null {
  const seen = Object.create(null) as Record<string, number>;
  for (let i = 0; i < pairs.length; i++) {
    const key = pairs[i][0];
    if (key.type !== 'string' || key.predicate || key.group || RESERVED_KEYS.has(key.value)) return null;
    if (Object.prototype.hasOwnProperty.call(seen, key.value)) return null;
    seen[key.value] = i;
  }
  return Object.keys(seen).map((k) => seen[k]);
}

/** evaluateGroupExpression over `input`; `c` is where its key and value expressions sit. */
export function genGroup(g: Gen, group: { lhs: [AstNode, AstNode][]; position?: number }, input: string, c: Cx, reduce: boolean): string {
  const e = g.e;
  const pairs = group.lhs;
  const order = reduce ? null : literalKeys(pairs);
  if (order) {
    const data = e.bind(`rt.groupData(${input})`);
    const o = e.bind('{}');
    if (pairs.length > 0) g.leaf(c);
    for (const index of order) {
      const [key, value] = pairs[index];
      const v = g.gen(value, { ...c, ctx: data });
      const target = key.value === '__proto__' ? `rt.setKey(${o}, ${str(key.value)}, ${v})` : `${o}[${str(key.value)}] = ${v}`;
      e.emit(`if (${v} !== undefined) ${target};`);
    }
    return o;
  }
  if (reduce) throw new Unsupported('grouping a tuple stream');
  const items = e.bind(`rt.groupItems(${input})`);
  const groups = e.bind('Object.create(null)');
  const i = e.fresh('i');
  const item = e.fresh('c');
  e.emit(`for (let ${i} = 0; ${i} < ${items}.length; ${i}++) {`);
  e.emit(`if (--st.ticks <= 0) rt.tick(st);`);
  e.emit(`const ${item} = ${items}[${i}];`);
  pairs.forEach(([key], j) => {
    const k = g.gen(key, { ...c, ctx: item });
    e.emit(`rt.groupAdd(${groups}, ${k}, ${j}, ${item}, ${group.position});`);
  });
  e.emit('}');
  const o = e.bind('{}');
  const key = e.fresh('k');
  const entry = e.fresh('g');
  const data = e.fresh('c');
  const v = e.fresh('v');
  e.emit(`for (const ${key} of Object.keys(${groups})) {`);
  e.emit(`const ${entry} = ${groups}[${key}]; const ${data} = ${entry}.data; let ${v};`);
  e.emit(`switch (${entry}.idx) {`);
  pairs.forEach(([, value], j) => {
    e.emit(`case ${j}: {`);
    const r = g.gen(value, { ...c, ctx: data });
    e.emit(`${v} = ${r}; break; }`);
  });
  e.emit('}');
  e.emit(`if (${v} !== undefined) rt.setKey(${o}, ${key}, ${v});`);
  e.emit('}');
  return o;
}

/** `|pattern|update[,delete]|`: a function that copies its argument and changes the matches. */
export function genTransform(g: Gen, node: AstNode, c: Cx): string {
  g.leaf(c);
  const e = g.e;
  const obj = e.fresh('o');
  const fn = genFunctionBody(g, [obj], c, null, (inner) => {
    const r = e.bind('undefined');
    e.emit(`if (${obj} !== undefined) {`);
    const clone = e.bind(g.readVar('clone', c.frame));
    e.emit(`if (!rt.isFunction(${clone})) throw rt.jerr("T2013", { position: ${node.position} });`);
    e.emit(`st.d = ${inner.fn.base} - 1;`);
    e.emit(`${r} = ${g.callFn}(${clone}, [${obj}], null, st);`);
    const matches = e.bind(g.gen(node.pattern!, { ...inner, ctx: r }));
    e.emit(`if (${matches} !== undefined) {`);
    e.emit(`const ms = Array.isArray(${matches}) ? ${matches} : [${matches}];`);
    const m = e.fresh('m');
    e.emit(`for (let i = 0; i < ms.length; i++) { const ${m} = ms[i];`);
    const update = g.gen(node.update!, { ...inner, ctx: m });
    e.emit(`rt.transformUpdate(${m}, ${update}, ${node.update!.position});`);
    if (node.delete) {
      const del = g.gen(node.delete, { ...inner, ctx: m });
      e.emit(`rt.transformDelete(${m}, ${del}, ${node.delete.position});`);
    }
    e.emit('}');
    e.emit('}');
    e.emit('}');
    return r;
  });
  return e.bind(`rt.nativeFunction(${fn}, rt.TRANSFORM_SIGNATURE)`);
}
