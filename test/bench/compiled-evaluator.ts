/**
 * Bench: the compiled JSONata evaluator next to the reference implementation
 * (`jsonata` on npm) and hand-written JavaScript producing the identical
 * output, on two mappings:
 * - po: "purchase order approved" event (header + 5 lines) → ERP commitment
 *   (po-mapping.ts: renames, line amounts, $sum, FX $lookup, string and date functions);
 * - ubl: a parsed UBL invoice (20 lines) → canonical AP invoice, the mapping
 *   of flows/ubl-invoice-to-ap.
 * Records/s are medians of 5 runs; ratios are taken within each run (the
 * machine is noisy) and their median reported. Outputs are checked equal
 * before anything is timed. Also times the closure-compiling prototype on the
 * PO mapping (the measurement behind generating source).
 *
 * Alone: `npx tsx test/bench/compiled-evaluator.ts` prints a table and a JSON line.
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { createCompiledEvaluator } from '../../nodes/expression/compiler/index.ts';
import { createReferenceEvaluator } from '../../nodes/expression/jsonata-evaluator.ts';
import { parseDocument, type FormatOptions } from '../../nodes/formats/index.ts';
import { fileInput, loadFlowFile } from '../../runtime/flow-files.ts';
import { compileWithClosures } from './closure-prototype.ts';
import { PO_MAPPING, PO_RATES, poEvents, poMappingByHand } from './po-mapping.ts';
import { mapUblByHand } from './ubl-mapping-by-hand.ts';

export interface MappingBench {
  /** Median records per second of each implementation. */
  referenceRecordsPerSec: number;
  compiledRecordsPerSec: number;
  handRecordsPerSec: number;
  /** Median of the per-run ratios. */
  compiledOverReference: number;
  handOverReference: number;
  compiledOverHand: number;
  /** `compiled`, or `reference` when the expression fell back (then the ratio is ~1). */
  engine: string;
  fallbackReason?: string;
  runs: { reference: number; compiled: number; hand: number }[];
}

export interface CompiledEvaluatorBench {
  po: MappingBench;
  ubl: MappingBench;
  /** Generated source against the closure prototype on the PO mapping (compiled ÷ closures). */
  poClosures: { closuresRecordsPerSec: number; compiledOverClosures: number };
}

const ROOT = resolve(import.meta.dirname, '../..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const json = (v: unknown) => JSON.parse(JSON.stringify(v));

/** Records per second of `map` over `inputs`, cycled for at least `minMs`. */
async function rate(map: (input: unknown) => unknown, inputs: unknown[], minMs: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 50; i++) {
      const r = map(inputs[count % inputs.length]);
      if (r instanceof Promise) await r;
      count++;
    }
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

interface Subject {
  expression: string;
  inputs: unknown[];
  bindings?: Record<string, unknown>;
  hand: (input: unknown) => unknown;
}

async function benchMapping(subject: Subject, runs: number, minMs: number): Promise<MappingBench> {
  const reference = jsonata(subject.expression);
  const compiled = createCompiledEvaluator({ fallback: createReferenceEvaluator() }).compile(subject.expression);
  const { bindings, hand, inputs } = subject;
  for (const input of inputs) {
    const expected = json(await reference.evaluate(input, bindings));
    const ours = json(await compiled.evaluate(input, bindings));
    if (!isDeepStrictEqual(ours, expected)) throw new Error(`compiled output differs from jsonata's for ${JSON.stringify(input).slice(0, 200)}`);
    if (!isDeepStrictEqual(json(hand(input)), expected)) throw new Error(`hand-written output differs from jsonata's for ${JSON.stringify(input).slice(0, 200)}`);
  }
  const results: MappingBench['runs'] = [];
  // One untimed round first, so every implementation runs optimised code when timed.
  if (runs > 0) {
    await rate((input) => reference.evaluate(input, bindings), inputs, minMs / 2);
    await rate((input) => compiled.evaluate(input, bindings), inputs, minMs / 2);
    await rate(hand, inputs, minMs / 2);
  }
  for (let run = 0; run < runs; run++) {
    results.push({
      reference: await rate((input) => reference.evaluate(input, bindings), inputs, minMs),
      compiled: await rate((input) => compiled.evaluate(input, bindings), inputs, minMs),
      hand: await rate(hand, inputs, minMs),
    });
  }
  return {
    referenceRecordsPerSec: Math.round(median(results.map((r) => r.reference))),
    compiledRecordsPerSec: Math.round(median(results.map((r) => r.compiled))),
    handRecordsPerSec: Math.round(median(results.map((r) => r.hand))),
    compiledOverReference: round1(median(results.map((r) => r.compiled / r.reference))),
    handOverReference: round1(median(results.map((r) => r.hand / r.reference))),
    compiledOverHand: round2(median(results.map((r) => r.compiled / r.hand))),
    engine: compiled.engine,
    ...(compiled.fallbackReason ? { fallbackReason: compiled.fallbackReason } : {}),
    runs: results.map((r) => ({ reference: Math.round(r.reference), compiled: Math.round(r.compiled), hand: Math.round(r.hand) })),
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The UBL example's mapping and parsed samples (the first sample is the timed one). */
async function ublSubject(): Promise<Subject & { samples: unknown[] }> {
  const { doc, dir } = await loadFlowFile(resolve(ROOT, 'flows/ubl-invoice-to-ap/flow.json'));
  const source = doc.nodes.find((n) => n.type === 'source.file');
  const transform = doc.nodes.find((n) => n.type === 'transform.jsonata');
  if (!source || !transform) throw new Error('flows/ubl-invoice-to-ap: no file source or transform');
  const samples: unknown[] = [];
  for (const sample of (doc as { samples?: string[] }).samples ?? []) {
    const path = resolve(dir, sample);
    for await (const record of parseDocument(fileInput(path).chunks(), basename(path), source.config as FormatOptions)) samples.push(record);
  }
  const expression = (transform.config as { expression: string }).expression;
  return { expression, inputs: samples, samples, hand: (r) => mapUblByHand(r as Record<string, unknown>) };
}

/** Runs the bench; `runs` timed rounds of at least `minMs` per implementation. */
export async function benchCompiledEvaluator(options: { runs?: number; minMs?: number } = {}): Promise<CompiledEvaluatorBench> {
  const runs = options.runs ?? 5;
  const minMs = options.minMs ?? 400;
  const events = poEvents(1000);
  const po = await benchMapping({ expression: PO_MAPPING, inputs: events, bindings: { rates: PO_RATES }, hand: (e) => poMappingByHand(e, PO_RATES) }, runs, minMs);
  const ubl = await ublSubject();
  // Every sample checked equal; the 20-line invoice (the first sample) timed.
  await benchMapping(ubl, 0, 0);
  const ublBench = await benchMapping({ ...ubl, inputs: ubl.samples.slice(0, 1) }, runs, minMs);

  const closures = compileWithClosures(PO_MAPPING);
  const compiled = createCompiledEvaluator({ fallback: createReferenceEvaluator() }).compile(PO_MAPPING);
  const pairs: { closures: number; compiled: number }[] = [];
  for (let run = 0; run < runs; run++) {
    pairs.push({
      closures: await rate((e) => closures(e, { rates: PO_RATES }), events, minMs),
      compiled: await rate((e) => compiled.evaluate(e, { rates: PO_RATES }), events, minMs),
    });
  }
  return {
    po,
    ubl: ublBench,
    poClosures: {
      closuresRecordsPerSec: Math.round(median(pairs.map((p) => p.closures))),
      compiledOverClosures: round1(median(pairs.map((p) => p.compiled / p.closures))),
    },
  };
}

function table(result: CompiledEvaluatorBench): string {
  const rows = [
    ['mapping', 'jsonata rec/s', 'compiled rec/s', 'hand-written rec/s', 'compiled ÷ jsonata', 'hand ÷ jsonata', 'compiled ÷ hand'],
    ...(['po', 'ubl'] as const).map((k) => {
      const m = result[k];
      return [k, m.referenceRecordsPerSec, m.compiledRecordsPerSec, m.handRecordsPerSec, `${m.compiledOverReference}×`, `${m.handOverReference}×`, `${m.compiledOverHand}×`].map(String);
    }),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  lines.push(`PO mapping, closures prototype: ${result.poClosures.closuresRecordsPerSec} rec/s; generated source is ${result.poClosures.compiledOverClosures}× faster`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchCompiledEvaluator();
  console.log(table(result));
  console.log(JSON.stringify(result));
}
