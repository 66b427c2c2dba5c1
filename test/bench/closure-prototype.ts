/**
 * A closure-compiling prototype, for the one measurement the design needed:
 * the same runtime helpers as the compiler (walks, fast built-ins, sequence
 * rules) wired as a tree of closures instead of generated source. It covers
 * only the constructs of the PO mapping; it is not part of the product.
 * Result (see compiled-evaluator.ts): generated source is faster, so the
 * compiler generates source.
 */
import jsonata from 'jsonata';
import { createRuntime } from '../../nodes/expression/compiler/runtime/index.ts';
import { builtins } from '../../nodes/expression/compiler/runtime/builtins.ts';
import { createState, type EvalState } from '../../nodes/expression/compiler/runtime/state.ts';

type Env = { vars: Map<string, unknown>; parent: Env | null; bindings: Record<string, unknown> };
type Closure = (ctx: unknown, env: Env, st: EvalState) => unknown;

const rt = createRuntime();
const BI = builtins();

function lookupVar(env: Env, name: string): unknown {
  for (let e: Env | null = env; e; e = e.parent) if (e.vars.has(name)) return e.vars.get(name);
  return Object.prototype.hasOwnProperty.call(env.bindings, name) ? env.bindings[name] : BI[name];
}

function compile(node: any): Closure {
  switch (node.type) {
    case 'string':
    case 'number':
      return () => node.value;
    case 'variable':
      return (ctx, env) => rt.norm(node.value === '' ? ctx : lookupVar(env, node.value));
    case 'block': {
      const exprs = node.expressions.map(compile);
      return (ctx, env, st) => {
        const inner: Env = { vars: new Map(), parent: env, bindings: env.bindings };
        let r;
        for (const e of exprs) r = e(ctx, inner, st);
        return r;
      };
    }
    case 'bind': {
      const rhs = compile(node.rhs);
      return (ctx, env, st) => {
        const v = rhs(ctx, env, st);
        env.vars.set(node.lhs.value, v);
        return v;
      };
    }
    case 'binary': {
      const l = compile(node.lhs);
      const r = compile(node.rhs);
      const op = ({ '*': rt.mul, '+': rt.add, '-': rt.sub, '/': rt.div } as Record<string, (a: any, b: any, p?: number) => any>)[node.value];
      return (ctx, env, st) => op(l(ctx, env, st), r(ctx, env, st), node.position);
    }
    case 'unary':
      if (node.value === '[') {
        const items = node.expressions.map(compile);
        return (ctx, env, st) => {
          const out: unknown[] = [];
          for (const item of items) {
            const v = item(ctx, env, st);
            if (v !== undefined) rt.pushFlat(out, v, true);
          }
          return out;
        };
      }
      if (node.value === '{') {
        const pairs = node.lhs.map(([k, v]: any[]) => [k.value as string, compile(v)] as const);
        return (ctx, env, st) => {
          const data = rt.groupData(ctx);
          const o: Record<string, unknown> = {};
          for (const [k, v] of pairs) {
            const value = v(data, env, st);
            if (value !== undefined) o[k] = value;
          }
          return o;
        };
      }
      throw new Error(`unary ${node.value}`);
    case 'path':
      return compilePath(node);
    case 'function': {
      const name = node.procedure.value as string;
      const args = node.arguments.map(compile);
      const fast = (rt.fast as Record<string, (...a: any[]) => unknown>)[name];
      return (ctx, env, st) => {
        const proc = lookupVar(env, name);
        const values = args.map((a: Closure) => a(ctx, env, st));
        return rt.norm(proc === BI[name] && fast ? fast(...values, ctx, st) : rt.call(proc, values, ctx, st));
      };
    }
    default:
      throw new Error(`not in the prototype: ${node.type}`);
  }
}

function compilePath(node: any): Closure {
  const steps = node.steps;
  if (steps.every((s: any) => s.type === 'name' && !s.stages)) {
    const names = steps.map((s: any) => s.value);
    return (ctx) => rt.walk(ctx, names);
  }
  const compiled = steps.map((s: any) => (s.type === 'name' ? null : compile(s)));
  return (ctx, env, st) => {
    let input: unknown[] = Array.isArray(ctx) ? ctx : rt.seq1(ctx);
    let res: any;
    for (let i = 0; i < steps.length; i++) {
      const out = rt.seq();
      let count = 0;
      let first: unknown;
      for (const item of input) {
        const r = compiled[i] ? rt.norm(compiled[i](item, env, st)) : rt.lookupNorm(item, steps[i].value);
        if (r !== undefined) {
          count++;
          first = r;
          rt.pushFlat(out, r);
        }
      }
      res = i === steps.length - 1 && count === 1 && Array.isArray(first) && !(first as any).sequence ? first : out;
      if (res.length === 0) break;
      input = res;
    }
    return rt.norm(res);
  };
}

/** Compiles an expression of the prototype's subset; evaluate(input, bindings). */
export function compileWithClosures(source: string): (input: unknown, bindings: Record<string, unknown>) => unknown {
  const root = compile(jsonata(source).ast());
  return (input, bindings) => root(input, { vars: new Map(), parent: null, bindings }, createState(500, 1000, false));
}
