/**
 * Functions: calls (evaluateFunction), lambdas, tail calls (the parser's
 * thunks), partial application and `~>`. Calls to built-ins that no binding
 * shadows take a direct route (fast-builtins.ts); everything else goes
 * through the runtime's `call`, which validates signatures like the reference.
 */
import type { AstNode } from '../jsonata-internals.ts';
import { FAST_BUILTINS } from '../runtime/fast-builtins.ts';
import { str, type Cx, type FnInfo, type Frame } from './emitter.ts';
import type { Gen } from './gen.ts';

let fnCounter = 0;

/**
 * Generates a nested JavaScript function (lambda body, transform) with its
 * own base depth, read from `st.d` (the depth of the calling node) at entry.
 */
export function genFunctionBody(
  g: Gen,
  params: string[],
  c: Cx,
  lambdaFrame: ((inner: Cx) => Frame) | null,
  body: (inner: Cx) => string,
): string {
  const id = fnCounter++;
  const fn: FnInfo = { base: `D${id}`, deep: `deep${id}`, maxRelToken: `__MAXREL${id}__`, maxRel: 0, lambda: lambdaFrame !== null };
  const inner: Cx = { ctx: c.ctx, frame: c.frame, fn, rel: 0 };
  const captured = g.e.capture(() => {
    g.e.emit(`const ${fn.base} = st.d + 1;`);
    g.e.emit(`const ${fn.deep} = ${fn.base} + ${fn.maxRelToken} > st.maxDepth;`);
    if (lambdaFrame) inner.frame = lambdaFrame(inner);
    const r = body(inner);
    g.e.emit(`return ${r};`);
  });
  const name = g.e.fresh('f');
  g.e.emit(`const ${name} = ${g.async ? 'async ' : ''}function (${params.join(', ')}) {`);
  g.e.append(captured.lines.map((line) => line.split(fn.maxRelToken).join(String(fn.maxRel))));
  g.e.emit('};');
  return name;
}

export function genLambda(g: Gen, node: AstNode, c: Cx): string {
  if (node.thunk) return genTailCall(g, node.body!, c);
  g.leaf(c);
  const names = (node.arguments ?? []).map((a) => a.value as string);
  const idents = names.map(() => g.e.fresh('p'));
  const fn = genFunctionBody(
    g,
    idents,
    c,
    () => g.openFrame('lambda', node, c.frame, { params: new Map(names.map((n, i) => [n, idents[i]])) }),
    (inner) => g.gen(node.body!, inner),
  );
  const sig = node.signature ? g.e.konst(node.signature) : 'undefined';
  return g.e.bind(`new rt.Lambda(${fn}, ${names.length}, ${sig}, ${g.e.konst(names)}${g.async ? ', true' : ''})`);
}

/** A call in tail position: procedure and arguments at the body's level, applied by the caller's trampoline. */
function genTailCall(g: Gen, call: AstNode, c: Cx): string {
  const at: Cx = { ...c, rel: 0 };
  const r = g.e.bind('undefined');
  const inner = g.e.capture(() => {
    const proc = g.gen(call.procedure!, at);
    g.e.emit(`rt.checkTailProcedure(${proc});`);
    const args = (call.arguments ?? []).map((a) => g.gen(a, at));
    // The trampoline stamps errors with the procedure's position and, for a variable, its name.
    const p = call.procedure!;
    const token = p.type === 'variable' ? str(p.value) : 'undefined';
    g.e.emit(`${r} = new rt.TailCall(${proc}, [${args.join(', ')}], ${p.position}, ${token});`);
  });
  // jsonata evaluates these in its trampoline, outside the application of this lambda.
  g.e.emit('try {');
  g.e.append(inner.lines);
  g.e.emit('} catch (err) { throw rt.tailArgError(err); }');
  return r;
}

function procName(node: AstNode): string {
  const p = node.procedure!;
  return p.type === 'path' ? p.steps![0].value : p.value;
}

/** evaluateFunction; `applyTo` is the left side of `~>`, passed as the first argument. */
export function genFunction(g: Gen, node: AstNode, c: Cx, applyTo?: string): string {
  const e = g.e;
  const p = node.procedure!;
  const name = procName(node);
  let proc = g.gen(p, g.child(c));
  // A literal procedure (`2()`) gets a name: the generated checks read properties of it.
  if (!/^[A-Za-z_$][\w$]*$/.test(proc)) proc = e.bind(proc);
  if (p.type === 'path') {
    const stepName = p.steps![0].value as string;
    e.emit(`if (${proc} === undefined && ${g.readVar(stepName, c.frame)}) throw rt.jerr("T1005", { position: ${node.position}, token: ${str(stepName)} });`);
  }
  const args = (node.arguments ?? []).map((a) => g.gen(a, g.child(c)));
  if (applyTo !== undefined) args.unshift(applyTo);
  const r = e.bind('undefined');
  if (p.type === 'variable' && p.value === 'eval' && !g.isLocal('eval', c.frame)) e.emit(`st.evalScope = ${g.scopeSnapshot(c.frame)};`);
  e.emit(`st.d = ${g.depthAt(c)};`);
  const generic = `${g.callFn}(${proc}, [${args.join(', ')}], ${c.ctx}, st, ${node.position}, ${str(name)})`;
  const fast = p.type === 'variable' && !g.isLocal(p.value, c.frame) && Object.hasOwn(FAST_BUILTINS, p.value) ? FAST_BUILTINS[p.value] : undefined;
  if (fast?.arities.includes(args.length)) {
    // Errors of the direct route get the call's position and name, as rt.call gives them.
    e.emit(`try { ${r} = ${proc} === BI[${str(p.value)}] ? rt.fast[${str(p.value)}](${[...args, c.ctx, 'st'].join(', ')}) : ${generic}; }`);
    e.emit(`catch (err) { throw rt.decorate(err, ${node.position}, ${str(name)}, rt.restamps(${proc})); }`);
  } else if (!g.async) {
    // A lambda without a signature is called directly; anything else through rt.call.
    const direct = `${proc} instanceof rt.Lambda && ${proc}.sig === undefined && !${proc}.isAsync`;
    e.emit(`try { if (${direct}) { if (--st.ticks <= 0) rt.tick(st); ${r} = ${proc}.body(${args.join(', ')}); } else ${r} = ${generic}; }`);
    e.emit(`catch (err) { throw rt.decorate(err, ${node.position}, ${str(name)}, rt.restamps(${proc})); }`);
    e.emit(`if (${r} instanceof rt.TailCall) ${r} = rt.runTail(${r}, ${c.ctx}, st, ${g.depthAt(c)});`);
  } else {
    e.emit(`${r} = ${generic};`);
  }
  return r;
}

export function genPartial(g: Gen, node: AstNode, c: Cx): string {
  const e = g.e;
  const args = (node.arguments ?? []).map((a) => (a.type === 'operator' && a.value === '?' ? 'rt.PLACEHOLDER' : g.gen(a, g.child(c))));
  const p = node.procedure!;
  const proc = g.gen(p, g.child(c));
  if (p.type === 'path') {
    const stepName = p.steps![0].value as string;
    e.emit(`if (${proc} === undefined && ${g.readVar(stepName, c.frame)}) throw rt.jerr("T1007", { position: ${node.position}, token: ${str(stepName)} });`);
  }
  return e.bind(`rt.partial${g.async ? 'A' : ''}(${proc}, [${args.join(', ')}], st, ${node.position}, ${str(procName(node))})`);
}

export function genApply(g: Gen, node: AstNode, c: Cx): string {
  const e = g.e;
  const lhs = g.gen(node.lhs, g.child(c));
  const rhs: AstNode = node.rhs;
  if (rhs.type === 'function') return genFunction(g, rhs, c, lhs);
  const func = g.gen(rhs, g.child(c));
  e.emit(`rt.checkApplicable(${func}, ${node.position});`);
  const r = e.bind('undefined');
  e.emit(`if (rt.isFunction(${lhs})) ${r} = rt.chain${g.async ? 'A' : ''}(${lhs}, ${func}, st);`);
  e.emit(`else { st.d = ${g.depthAt(c)}; ${r} = ${g.callFn}(${func}, [${lhs}], null, st); }`);
  return r;
}
