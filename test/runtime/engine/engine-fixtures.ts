/**
 * Test-only node types and in-memory edges for engine tests: the engine is
 * exercised on its own, without files, SQL or HTTP.
 */
import { createHash } from 'node:crypto';
import { defineNode, type AnyNodeDeclaration, type TargetOutcome } from '../../../nodes/define-node.ts';
import { createCatalog } from '../../../nodes/node-catalog.ts';
import { Expression, Type } from '../../../nodes/config-schema.ts';
import { FlowError } from '../../../nodes/errors.ts';
import type { FlowDocument, FlowNode, FlowEdge } from '../../../nodes/flow-document.ts';
import { createReferenceEvaluator } from '../../../nodes/expression/jsonata-evaluator.ts';
import { createReferenceData } from '../../../nodes/reference-data.ts';
import { prepareFlow } from '../../../runtime/engine/prepare-flow.ts';
import { runFlow, type RunFlowOptions, type RunInput } from '../../../runtime/engine/run-flow.ts';
import type { DeadLetterEntry, IdempotencyLedger, RecordTrace, TraceSink } from '../../../runtime/engine/run-types.ts';

/** Reads records handed in through `ctx.input` as JSON lines. */
export const linesSource = defineNode({
  type: 'test.lines', version: 1, title: 'Lines', description: 'JSON lines', category: 'source',
  inputs: [], outputs: [{ id: 'out', title: 'Records' }], config: Type.Object({}),
  create: () => ({
    async *read(ctx) {
      if (!ctx.input) throw new FlowError('validation', 'no input');
      const parts: Uint8Array[] = [];
      for await (const c of ctx.input.chunks()) parts.push(c);
      const text = Buffer.concat(parts).toString('utf8');
      let line = 0;
      for (const l of text.split('\n')) {
        line++;
        if (!l.trim()) continue;
        try {
          yield JSON.parse(l);
        } catch {
          throw new FlowError('validation', `${ctx.input.name} line ${line}: not JSON`);
        }
      }
    },
  }),
});

/** What the `logged` map saw, in order (tests clear it). */
export const mapLog: string[] = [];

/** Functions the `test.map` node can run, by name. */
export const MAPS: Record<string, (d: any) => unknown> = {
  identity: (d) => d,
  double: (d) => ({ ...d, amount: String(Number(d.amount) * 2) }),
  explode: (d) => (d.lines as unknown[]).map((l: any, i: number) => ({ id: `${d.id}-${i}`, ...l })),
  /** Identity that notes each record it maps in `mapLog`. */
  logged: (d) => {
    mapLog.push(`map ${d.id}`);
    return d;
  },
  failOnBad: (d) => {
    if (d.bad) throw new FlowError('mapping', `cannot map record ${d.id}`, { field: 'bad' });
    return d;
  },
};

export const mapNode = defineNode({
  type: 'test.map', version: 1, title: 'Map', description: 'JS map', category: 'transform',
  inputs: [{ id: 'in', title: 'In' }], outputs: [{ id: 'out', title: 'Out', required: true }], config: Type.Object({ fn: Type.String({ default: 'identity' }) }),
  create: (config) => ({
    process: (data) => {
      const out = MAPS[config.fn](data);
      if (out === undefined) return [];
      return Array.isArray(out) ? out.map((d) => ({ port: 'out', data: d })) : [{ port: 'out', data: out }];
    },
  }),
});

export const checkNode = defineNode({
  type: 'test.check', version: 1, title: 'Check', description: 'amount must be positive', category: 'validate',
  inputs: [{ id: 'in', title: 'In' }], outputs: [{ id: 'valid', title: 'Valid', required: true }, { id: 'invalid', title: 'Invalid', quarantine: true }],
  config: Type.Object({}),
  create: () => ({
    process: (data: any) => Number(data.amount) > 0
      ? [{ port: 'valid', data }]
      : [{ port: 'invalid', data, failures: [
        { rule: 'positive', message: `amount ${data.amount} must be positive`, severity: 'error' as const, field: 'amount' },
        { rule: 'has-id', message: 'id present', severity: data.id ? 'warning' as const : 'error' as const },
      ] }],
  }),
});

/** `test.lines` written the declared way, its output named `rows`: the engine reads the port from the declaration. */
export const rowsSource = defineNode({
  type: 'test.rows', version: 1, title: 'Rows', description: 'JSON lines, out of a port named rows', category: 'source',
  inputs: [], outputs: [{ id: 'rows', title: 'Rows' }], config: Type.Object({}),
  create: (config, setup) => linesSource.create(config, setup),
});

/** `test.check` with ports of other names: records leaving `rejected` (the quarantine port) are invalid. */
export const screenNode = defineNode({
  type: 'test.screen', version: 1, title: 'Screen', description: 'amount must be positive', category: 'validate',
  inputs: [{ id: 'in', title: 'In' }], outputs: [{ id: 'accepted', title: 'Accepted' }, { id: 'rejected', title: 'Rejected', quarantine: true }],
  config: Type.Object({}),
  create: () => ({
    process: (data: any) => Number(data.amount) > 0
      ? [{ port: 'accepted', data }]
      : [{ port: 'rejected', data, failures: [{ rule: 'positive', message: `amount ${data.amount} must be positive`, severity: 'error' as const }] }],
  }),
});

/** An in-memory target: `failures` decides per key what goes wrong and how often. */
export class MemoryTarget {
  rows = new Map<string, unknown>();
  writes = 0;
  /** key → remaining transient failures, or 'permanent'. */
  failures = new Map<string, number | 'permanent'>();
  retryAfterMs: number | undefined;
  /** Awaited before each write with the keys about to be written (to slow writes or watch them). */
  beforeWrite: ((keys: string[]) => Promise<void>) | undefined;

  node(): AnyNodeDeclaration {
    return defineNode({
      type: 'test.target', version: 1, title: 'Memory target', description: '', category: 'target',
      inputs: [{ id: 'in', title: 'In' }], outputs: [],
      config: Type.Object({ object: Type.Optional(Type.String()), idempotencyKey: Expression({ minLength: 1, default: '$sourceKey' }) }),
      // Targets naming the same `object` write into the same place (default: one shared place).
      deliveryTarget: (config) => ({ connection: 'memory', object: config.object ?? 'rows' }),
      create: () => ({
        batchSize: 3,
        write: async (items): Promise<TargetOutcome[]> => {
          await this.beforeWrite?.(items.map((i) => i.key));
          return this.outcomes(items);
        },
      }),
    });
  }

  private outcomes(items: { key: string; data: unknown }[]): TargetOutcome[] {
    return items.map((item) => {
      this.writes++;
      const f = this.failures.get(item.key);
      if (f === 'permanent') return { ok: false, error: new FlowError('permanent', `target refused ${item.key}`, { status: 422 }) };
      if (typeof f === 'number' && f > 0) {
        this.failures.set(item.key, f - 1);
        return { ok: false, error: new FlowError('transient', 'target busy', { status: 503, retryAfterMs: this.retryAfterMs }) };
      }
      this.rows.set(item.key, item.data);
      return { ok: true, ref: `row-${item.key}`, status: 201 };
    });
  }
}

export class MemoryLedger implements IdempotencyLedger {
  entries = new Map<string, { state: 'pending' | 'delivered' | 'released'; token: string; ref?: string; answer?: unknown }>();
  async claim(scope: string, keys: string[], token: string) {
    const owned = new Set<string>();
    for (const key of keys) {
      const k = `${scope}|${key}`;
      const e = this.entries.get(k);
      if (!e || e.state === 'released' || (e.state === 'pending' && e.token === token)) {
        this.entries.set(k, { state: 'pending', token });
        owned.add(key);
      }
    }
    return owned;
  }
  async deliveredUnder(scope: string, keys: string[], token: string) {
    const out = new Map<string, string | null>();
    for (const key of keys) {
      const e = this.entries.get(`${scope}|${key}`);
      if (e?.state === 'delivered' && e.token === token) out.set(key, e.ref ?? null);
    }
    return out;
  }
  async confirm(scope: string, entries: { key: string; ref?: string; answer?: unknown }[], token: string) {
    for (const { key, ref, answer } of entries) this.entries.set(`${scope}|${key}`, { state: 'delivered', token, ref, answer });
  }
  async answers(scope: string, keys: string[]) {
    const out = new Map<string, unknown>();
    for (const key of keys) {
      const e = this.entries.get(`${scope}|${key}`);
      if (e?.state === 'delivered' && e.answer !== undefined) out.set(key, e.answer);
    }
    return out;
  }
  async release(scope: string, keys: string[], token: string) {
    for (const key of keys) {
      const e = this.entries.get(`${scope}|${key}`);
      if (e?.token === token && e.state === 'pending') e.state = 'released';
    }
  }
}

export class MemoryTraceSink implements TraceSink {
  traces: RecordTrace[] = [];
  deadLetters: DeadLetterEntry[] = [];
  write(traces: RecordTrace[], deadLetters: DeadLetterEntry[]) {
    this.traces.push(...traces);
    this.deadLetters.push(...deadLetters);
  }
  async flush() {}
}

export function testCatalog(target: MemoryTarget) {
  return createCatalog([linesSource, mapNode, checkNode, rowsSource, screenNode, target.node()]);
}

export const evaluator = createReferenceEvaluator();

export function node(id: string, type: string, config: Record<string, unknown> = {}, extra: Partial<FlowNode> = {}): FlowNode {
  return { id, type, typeVersion: 1, position: { x: 0, y: 0 }, config, ...extra };
}

export function edge(source: string, target: string, sourceHandle?: string): FlowEdge {
  return { id: `${source}-${sourceHandle ?? 'out'}-${target}`, source, target, ...(sourceHandle ? { sourceHandle } : {}) };
}

export function flowOf(nodes: FlowNode[], edges: FlowEdge[], extra: Partial<FlowDocument> = {}): FlowDocument {
  return { id: 'test-flow', name: 'Test flow', nodes, edges, businessKey: 'id', amount: { value: 'amount', currency: 'currency' }, ...extra };
}

export function jsonLines(records: unknown[]): RunInput {
  const text = records.map((r) => JSON.stringify(r)).join('\n');
  return { kind: 'document', document: { name: 'input.jsonl', chunks: async function* () { yield new TextEncoder().encode(text); } } };
}

export interface Harness {
  target: MemoryTarget;
  ledger: MemoryLedger;
  sink: MemoryTraceSink;
  run(doc: FlowDocument, input: RunInput, options?: Partial<RunFlowOptions>): ReturnType<typeof runFlow>;
}

export function harness(): Harness {
  const target = new MemoryTarget();
  const ledger = new MemoryLedger();
  const sink = new MemoryTraceSink();
  const catalog = testCatalog(target);
  let runs = 0;
  return {
    target, ledger, sink,
    run: (doc, input, options = {}) => {
      const reference = createReferenceData({});
      const flow = prepareFlow(doc, { catalog, evaluator, reference, functions: {} });
      return runFlow({
        runId: `run-${++runs}`, flow, input, ledger, traces: sink,
        connections: { sql: () => { throw new Error('no sql'); }, http: () => { throw new Error('no http'); } },
        files: { append: async () => {} },
        digest: (s) => createHash('sha256').update(s).digest('hex'),
        ...options,
      });
    },
  };
}
