/**
 * The code generator: turns jsonata's processed AST into the body of a
 * JavaScript function. Every node compiles to statements plus a side-effect
 * free result expression, in the reference's evaluation order; `gen()` adds
 * what jsonata's `evaluate()` does around every node (predicates, grouping,
 * singleton unwrapping) and tracks the evaluation depth the reference counts.
 */
import type { AstNode } from '../jsonata-internals.ts';
import { booleanValued, Emitter, literal, neverSequence, str, Unsupported, type Cx, type FnInfo, type Frame } from './emitter.ts';
import { genPath, genFilter } from './path.ts';
import { genMaybeTupleFilter, nestedSchema } from './tuple.ts';
import { genFunction, genLambda, genPartial, genApply } from './call.ts';
import { genArray, genGroup, genObject, genTransform } from './construct.ts';

export class Gen {
  readonly e = new Emitter();
  /** Names each frame assigns (from the first pass), keyed by the frame's node. */
  readonly declared: WeakMap<object, Set<string>>;
  /** Names each frame assigns, as seen in this pass. */
  readonly assigned = new WeakMap<object, Set<string>>();
  /** Free variables: name → identifier resolved at the start of an evaluation. */
  readonly globals = new Map<string, string>();
  /** Results already unwrapped (e.g. by a field walk): no `norm` needed. */
  readonly normalized = new Set<string>();
  /** Generating the asynchronous variant: every call is awaited. */
  readonly async: boolean;

  constructor(declared: WeakMap<object, Set<string>>, async = false) {
    this.declared = declared;
    this.async = async;
  }

  /** `await ` in the asynchronous variant. */
  get aw(): string {
    return this.async ? 'await ' : '';
  }

  /** The runtime function for calls: `call` or its awaiting twin `callA`. */
  get callFn(): string {
    return this.async ? 'await rt.callA' : 'rt.call';
  }

  // ---- frames and variables -------------------------------------------------

  /** Opens a frame; emits the declarations of the variables it will assign. */
  openFrame(kind: Frame['kind'], key: object, parent: Frame | null, extra: Partial<Frame> = {}): Frame {
    const frame: Frame = { kind, key, parent, vars: new Map(), ...extra };
    const names = this.declared.get(key);
    if (names && names.size > 0) {
      const decls: string[] = [];
      for (const name of names) {
        const ident = this.e.fresh('v');
        frame.vars.set(name, ident);
        decls.push(`${ident} = U`);
      }
      this.e.emit(`let ${decls.join(', ')};`);
    }
    return frame;
  }

  /** `$name` as an expression: the innermost binding, falling through unbound frame variables. */
  readVar(name: string, frame: Frame): string {
    const maybe: string[] = [];
    let found: string | undefined;
    for (let f: Frame | null = frame; f; f = f.parent) {
      // An assignment in the frame replaces a parameter or tuple binding of the same name.
      const v = f.vars.get(name);
      if (v) maybe.push(v);
      const param = f.params?.get(name);
      if (param) {
        found = param;
        break;
      }
      if (f.tuple?.keys.has(name)) {
        found = `${f.tuple.ident}[${str(name)}]`;
        break;
      }
    }
    let expr = found ?? this.globalRef(name);
    for (let i = maybe.length - 1; i >= 0; i--) expr = `(${maybe[i]} !== U ? ${maybe[i]} : ${expr})`;
    return expr;
  }

  /** True when `$name` is bound by an enclosing frame (not a free variable). */
  isLocal(name: string, frame: Frame): boolean {
    for (let f: Frame | null = frame; f; f = f.parent) {
      if (f.params?.has(name) || f.tuple?.keys.has(name) || f.vars.has(name)) return true;
    }
    return false;
  }

  /** The variables visible in `frame`, as an object for `$eval` (over the evaluation's bindings). */
  scopeSnapshot(frame: Frame): string {
    const names: string[] = [];
    for (let f: Frame | null = frame; f; f = f.parent) {
      for (const n of [...(f.params?.keys() ?? []), ...(f.tuple?.keys ?? []), ...f.vars.keys()]) if (!names.includes(n) && n !== '@') names.push(n);
    }
    return `rt.scopeObject(b, ${this.e.konst(names)}, [${names.map((n) => this.readVar(n, frame)).join(', ')}], U)`;
  }

  globalRef(name: string): string {
    if (name === '$') return 'ROOT';
    let ident = this.globals.get(name);
    if (!ident) {
      ident = `G${this.globals.size}`;
      this.globals.set(name, ident);
    }
    return ident;
  }

  /** The identifier `$name := …` assigns in the innermost frame. */
  assignTarget(name: string, frame: Frame): string {
    let seen = this.assigned.get(frame.key);
    if (!seen) this.assigned.set(frame.key, (seen = new Set()));
    seen.add(name);
    const ident = frame.vars.get(name);
    if (ident) return ident;
    if (this.declared === EMPTY_DECLARED) return 'DISCARD';
    throw new Unsupported(`internal: undeclared variable $${name}`);
  }

  // ---- depth -----------------------------------------------------------------

  /** Marks a leaf evaluated at depth `rel`: the deepest points are where the limit can bite. */
  leaf(c: Cx): void {
    if (c.rel > c.fn.maxRel) c.fn.maxRel = c.rel;
    this.e.emit(`if (${c.fn.deep} && ${c.fn.base} + ${c.rel} > st.maxDepth) rt.depthExceeded(st);`);
  }

  child(c: Cx, extra: Partial<Cx> = {}): Cx {
    return { ...c, rel: c.rel + 1, ...extra };
  }

  /** The depth of the node at `c`, as an expression (set as st.d before a call). */
  depthAt(c: Cx): string {
    if (c.rel > c.fn.maxRel) c.fn.maxRel = c.rel;
    return `${c.fn.base} + ${c.rel}`;
  }

  // ---- evaluation --------------------------------------------------------------

  /** jsonata's evaluate(node): the node, its predicates and grouping, then singleton unwrapping. */
  gen(node: AstNode, c: Cx): string {
    let v = this.genRaw(node, c);
    if (node.predicate) {
      for (const p of node.predicate) {
        v = node.tuple ? genMaybeTupleFilter(this, p, v, nestedSchema(node), this.child(c)) : genFilter(this, p.expr, v, this.child(c));
      }
    }
    if (node.type !== 'path' && node.group) v = genGroup(this, node.group, v, this.child(c), false);
    if (!neverSequence(node) && !(this.normalized.has(v) && !node.keepArray)) {
      v = this.e.bind(`${node.keepArray ? 'rt.normKeep' : 'rt.norm'}(${v})`);
    }
    return v;
  }

  genRaw(node: AstNode, c: Cx): string {
    switch (node.type) {
      case 'path':
        return genPath(this, node, c);
      case 'binary':
        return this.genBinary(node, c);
      case 'unary':
        return this.genUnary(node, c);
      case 'name': {
        this.leaf(c);
        if (node.keepArray || node.predicate || node.group) return this.e.bind(`rt.lookup(${c.ctx}, ${str(node.value)})`);
        const v = this.e.bind(`rt.lookupNorm(${c.ctx}, ${str(node.value)})`);
        this.normalized.add(v);
        return v;
      }
      case 'string':
      case 'number':
      case 'value':
        this.leaf(c);
        return literal(node.value);
      case 'wildcard':
        this.leaf(c);
        return this.e.bind(`rt.wildcard(${c.ctx})`);
      case 'descendant':
        this.leaf(c);
        return this.e.bind(`rt.descendants(${c.ctx})`);
      case 'parent':
        this.leaf(c);
        return this.readVar(node.slot!.label, c.frame);
      case 'condition':
        return this.genCondition(node, c);
      case 'block':
        return this.genBlock(node, c);
      case 'bind':
        return this.genBind(node, c);
      case 'regex':
        this.leaf(c);
        return this.e.bind(`rt.regexMatcher(${this.e.konst(node.value)}, ${node.position})`);
      case 'function':
        return genFunction(this, node, c);
      case 'variable':
        return this.genVariable(node, c);
      case 'lambda':
        return genLambda(this, node, c);
      case 'partial':
        return genPartial(this, node, c);
      case 'apply':
        return genApply(this, node, c);
      case 'transform':
        return genTransform(this, node, c);
      default:
        throw new Unsupported(`expression type ${node.type}`);
    }
  }

  private genVariable(node: AstNode, c: Cx): string {
    this.leaf(c);
    if (node.value === '') return this.e.bind(`(${c.ctx} && ${c.ctx}.outerWrapper ? ${c.ctx}[0] : ${c.ctx})`);
    return this.e.bind(this.readVar(node.value, c.frame));
  }

  private genBinary(node: AstNode, c: Cx): string {
    const op: string = node.value;
    const lhs = this.gen(node.lhs, this.child(c));
    if (op === 'and' || op === 'or') {
      const r = this.e.bind(`rt.boolize(${lhs})`);
      const rhs = this.e.capture(() => this.gen(node.rhs, this.child(c)));
      // jsonata evaluates the right side inside the operator's try: its errors take the operator's place.
      this.e.emit(op === 'and' ? `if (${r}) { try {` : `if (!${r}) { try {`);
      this.e.append(rhs.lines);
      this.e.emit(`${r} = rt.boolize(${rhs.value});`);
      this.e.emit(`} catch (err) { throw rt.stampOperator(err, ${node.position}, ${str(op)}); } }`);
      return r;
    }
    const rhs = this.gen(node.rhs, this.child(c));
    const p = node.position;
    switch (op) {
      case '+':
        return this.e.bind(`rt.add(${lhs}, ${rhs}, ${p})`);
      case '-':
        return this.e.bind(`rt.sub(${lhs}, ${rhs}, ${p})`);
      case '*':
        return this.e.bind(`rt.mul(${lhs}, ${rhs}, ${p})`);
      case '/':
        return this.e.bind(`rt.div(${lhs}, ${rhs}, ${p})`);
      case '%':
        return this.e.bind(`rt.mod(${lhs}, ${rhs}, ${p})`);
      case '=':
        return this.e.bind(`rt.eq(${lhs}, ${rhs})`);
      case '!=':
        return this.e.bind(`rt.ne(${lhs}, ${rhs})`);
      case '<':
        return this.e.bind(`rt.lt(${lhs}, ${rhs}, ${p})`);
      case '<=':
        return this.e.bind(`rt.le(${lhs}, ${rhs}, ${p})`);
      case '>':
        return this.e.bind(`rt.gt(${lhs}, ${rhs}, ${p})`);
      case '>=':
        return this.e.bind(`rt.ge(${lhs}, ${rhs}, ${p})`);
      case '&':
        return this.e.bind(`rt.concat(${lhs}, ${rhs}, ${p}, st)`);
      case '..':
        return this.e.bind(`rt.range(${lhs}, ${rhs}, ${p})`);
      case 'in':
        return this.e.bind(`rt.includes(${lhs}, ${rhs})`);
      default:
        throw new Unsupported(`operator ${op}`);
    }
  }

  private genUnary(node: AstNode, c: Cx): string {
    switch (node.value) {
      case '-': {
        const v = this.gen(node.expression!, this.child(c));
        return this.e.bind(`rt.negate(${v}, ${node.position})`);
      }
      case '[':
        return genArray(this, node, c);
      case '{':
        return genObject(this, node, c);
      default:
        throw new Unsupported(`unary operator ${node.value}`);
    }
  }

  private genCondition(node: AstNode, c: Cx): string {
    const cond = this.gen(node.condition!, this.child(c));
    const r = this.e.bind('undefined');
    const then = this.e.capture(() => this.gen(node.then!, this.child(c)));
    this.e.emit(`if (rt.toBoolean(${cond})) {`);
    this.e.append(then.lines);
    this.e.emit(`${r} = ${then.value};`);
    if (node.else) {
      const otherwise = this.e.capture(() => this.gen(node.else!, this.child(c)));
      this.e.emit('} else {');
      this.e.append(otherwise.lines);
      this.e.emit(`${r} = ${otherwise.value};`);
    }
    this.e.emit('}');
    return r;
  }

  private genBlock(node: AstNode, c: Cx): string {
    const r = this.e.bind('undefined');
    this.e.emit('{');
    const frame = this.openFrame('block', node, c.frame);
    const inner: Cx = { ...c, frame };
    const exprs = node.expressions ?? [];
    if (exprs.length === 0) this.leaf(c);
    for (const expr of exprs) {
      const v = this.gen(expr, this.child(inner));
      this.e.emit(`${r} = ${v};`);
    }
    this.e.emit('}');
    return r;
  }

  private genBind(node: AstNode, c: Cx): string {
    const value = this.gen(node.rhs, this.child(c));
    const target = this.assignTarget(node.lhs.value, c.frame);
    this.e.emit(`${target} = ${value};`);
    return value;
  }

  /** A predicate's value used as a filter: true when it selects item `index`. */
  predicateTest(node: AstNode, value: string, index: string, length: string): string {
    return booleanValued(node) ? `(${value} ? 1 : 0)` : `rt.predicateHits(${value}, ${index}, ${length})`;
  }
}

/** Declarations of the first pass (none known yet). */
export const EMPTY_DECLARED = new WeakMap<object, Set<string>>();

export type { Cx, FnInfo, Frame };
