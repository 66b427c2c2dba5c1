/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`) by self time:
 * `node test/bench/cpu-profile-summary.mjs <file.cpuprofile> [top] [fn,fn…]`.
 * Prints the top functions, then self time per module (file), each as
 * milliseconds and as a share of the profile's non-idle time; with a list of
 * function names, also each one's inclusive time (samples with it on the stack).
 */
import { readFileSync } from 'node:fs';

const [file, topArg, inclusiveArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: cpu-profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg || 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
}
const fnTotals = new Map();
const moduleTotals = new Map();
let busy = 0;
for (const [id, us] of selfUs) {
  const { callFrame } = byId.get(id);
  const name = callFrame.functionName || '(anonymous)';
  if (name === '(idle)' || name === '(program)' && false) continue;
  const url = callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(runtime|nodes|test)\//, '$1/');
  const fnKey = `${name}  ${url}:${callFrame.lineNumber + 1}`;
  fnTotals.set(fnKey, (fnTotals.get(fnKey) ?? 0) + us);
  const mod = url || `(${name})`;
  moduleTotals.set(mod, (moduleTotals.get(mod) ?? 0) + us);
  busy += us;
}
const print = (title, map, limit = top) => {
  console.log(`\n${title} (busy ${(busy / 1000).toFixed(0)} ms)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`);
  }
};
if (top > 0) print('self time by function', fnTotals);
if (top > 0) print('self time by module', moduleTotals);

if (inclusiveArg) {
  const names = inclusiveArg.split(',');
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map(names.map((n) => [n, 0]));
  for (const [id, us] of selfUs) {
    const onStack = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) onStack.add(byId.get(at).callFrame.functionName);
    for (const n of names) if (onStack.has(n)) inclusive.set(n, inclusive.get(n) + us);
  }
  print('inclusive time', inclusive, names.length);
}
