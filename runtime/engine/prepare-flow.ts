/**
 * Turns a validated flow document into something runnable: node behaviours
 * created once (expressions compiled once per run), edges indexed by port,
 * nodes in topological order.
 */
import { quarantinePorts, sourceOutputPort, targetIdempotencyKey } from '../../nodes/define-node.ts';
import type { AnyNodeDeclaration, NodeCategory, ProcessBehaviour, SourceBehaviour, TargetBehaviour, ReferenceData } from '../../nodes/define-node.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import type { Bindings, CompiledExpression, ExpressionEvaluator } from '../../nodes/expression/evaluator.ts';
import type { FlowDocument, RetryPolicy } from '../../nodes/flow-document.ts';
import { DEFAULT_IN_PORT, edgeSourcePort } from '../../nodes/flow-document.ts';
import { FlowError } from '../../nodes/errors.ts';
import { resolveNodeConfig } from '../../nodes/node-config.ts';
import { validateFlow } from '../../nodes/validate-flow.ts';
import { expandSubflows } from '../../nodes/subflow/expand.ts';
import { idempotencyScope, legacyNodeScope } from '../../nodes/target/delivery-scope.ts';
import { DEFAULT_RETRY } from './retry.ts';
import { createRedactor, type Redactor } from './redact.ts';

interface PreparedBase {
  id: string;
  label: string;
  decl: AnyNodeDeclaration;
  config: Record<string, unknown>;
  /** Downstream node ids by output port. */
  edgesByPort: Map<string, string[]>;
  /** The input port each of those edges enters its node by (same order as `edgesByPort`). */
  inPortsByPort: Map<string, string[]>;
}

export interface PreparedSource extends PreparedBase {
  category: 'source';
  behaviour: SourceBehaviour;
  /** The port its records leave by (as the node type declares it). */
  outPort: string;
}
export interface PreparedProcess extends PreparedBase {
  category: 'transform' | 'route' | 'validate';
  behaviour: ProcessBehaviour;
  /** Ports whose records failed a check (counted invalid; quarantined when unconnected), as the node type declares them. */
  quarantinePorts: ReadonlySet<string>;
}
export interface PreparedTarget extends PreparedBase {
  category: 'target';
  behaviour: TargetBehaviour;
  idempotencyKey: CompiledExpression;
  /** Idempotency scope: keys are unique per environment, connection and object written (see `idempotencyScope`). */
  scope: string;
  /** The scope before migration 0008 (flow and node), for delivery markers written then. */
  legacyScope: string;
  retry: RetryPolicy;
}
export type PreparedNode = PreparedSource | PreparedProcess | PreparedTarget;

export interface PreparedFlow {
  doc: FlowDocument;
  nodes: Map<string, PreparedNode>;
  /** Non-source nodes in topological order. */
  order: string[];
  sources: PreparedSource[];
  recordKey?: CompiledExpression;
  businessKey?: CompiledExpression;
  eventTime?: CompiledExpression;
  amount?: { value: CompiledExpression; currency: CompiledExpression };
  /** Per-key delivery order (the flow's `ordering`): the key and how many chunk sequences carry the keys. */
  ordering?: { key: CompiledExpression; partitions: number };
  redact: Redactor;
  evaluator: ExpressionEvaluator;
}

/** Chunk sequences a flow's ordering keys are spread over when the flow does not say. */
export const DEFAULT_ORDERING_PARTITIONS = 16;

export interface PrepareOptions {
  catalog: NodeCatalog;
  evaluator: ExpressionEvaluator;
  reference: ReferenceData;
  functions: Bindings;
  /** The environment the run's connections are bound in (null: a local run); part of each target's idempotency scope. */
  environment?: string | null;
}

/** Validates and prepares; throws a FlowError listing every problem when the flow is invalid. */
export function prepareFlow(document: FlowDocument, options: PrepareOptions): PreparedFlow {
  const { catalog, evaluator, reference, functions } = options;
  const problems = validateFlow(document, catalog, evaluator);
  if (problems.length) {
    throw new FlowError('permanent', `Flow '${document.id}' is invalid and was not run:\n${problems.map((p) => `- ${p.path}: ${p.message}`).join('\n')}`, { code: 'FLOW_INVALID' });
  }
  // Sub-flow nodes run as their pinned inner nodes (`<node>/<inner>`), so traces and lineage name each one.
  const doc = expandSubflows(document);
  const nodes = new Map<string, PreparedNode>();
  const compile = (expr: string) => evaluator.compile(expr, { functions });
  for (const node of doc.nodes) {
    const decl = catalog.get(node.type)!;
    const resolved = resolveNodeConfig(decl, node);
    if (!resolved.ok) throw new FlowError('permanent', resolved.message, { nodeId: node.id });
    const config = resolved.config;
    const behaviour = decl.create(config, { nodeId: node.id, evaluator, reference, functions, environment: options.environment ?? null });
    const base = { id: node.id, label: node.label ?? decl.title, decl, config, edgesByPort: new Map<string, string[]>(), inPortsByPort: new Map<string, string[]>() };
    const category = decl.category as NodeCategory;
    if (category === 'target') {
      nodes.set(node.id, {
        ...base, category, behaviour: behaviour as TargetBehaviour,
        idempotencyKey: compile(targetIdempotencyKey(decl, config) ?? ''),
        scope: idempotencyScope(decl, config, options.environment),
        legacyScope: legacyNodeScope(doc.id, node.id),
        retry: node.retry ?? DEFAULT_RETRY,
      });
    } else if (category === 'source') {
      nodes.set(node.id, { ...base, category, behaviour: behaviour as SourceBehaviour, outPort: sourceOutputPort(decl, config) });
    } else {
      nodes.set(node.id, { ...base, category, behaviour: behaviour as ProcessBehaviour, quarantinePorts: quarantinePorts(decl, config) });
    }
  }
  for (const edge of doc.edges) {
    const from = nodes.get(edge.source)!;
    const port = edgeSourcePort(edge);
    from.edgesByPort.set(port, [...(from.edgesByPort.get(port) ?? []), edge.target]);
    from.inPortsByPort.set(port, [...(from.inPortsByPort.get(port) ?? []), edge.targetHandle ?? DEFAULT_IN_PORT]);
  }
  return {
    doc,
    nodes,
    order: topologicalOrder(doc, nodes),
    sources: [...nodes.values()].filter((n): n is PreparedSource => n.category === 'source'),
    recordKey: doc.recordKey ? compile(doc.recordKey) : undefined,
    businessKey: doc.businessKey ? compile(doc.businessKey) : undefined,
    eventTime: doc.eventTime ? compile(doc.eventTime) : undefined,
    amount: doc.amount ? { value: compile(doc.amount.value), currency: compile(doc.amount.currency) } : undefined,
    ordering: doc.ordering ? { key: compile(doc.ordering.key), partitions: doc.ordering.partitions ?? DEFAULT_ORDERING_PARTITIONS } : undefined,
    redact: createRedactor(doc.sensitive),
    evaluator,
  };
}

function topologicalOrder(doc: FlowDocument, nodes: Map<string, PreparedNode>): string[] {
  const indegree = new Map<string, number>([...nodes.keys()].map((id) => [id, 0]));
  for (const e of doc.edges) indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
  const ready = [...nodes.keys()].filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const targets of nodes.get(id)!.edgesByPort.values()) {
      for (const t of targets) {
        const d = indegree.get(t)! - 1;
        indegree.set(t, d);
        if (d === 0) ready.push(t);
      }
    }
  }
  return order.filter((id) => nodes.get(id)!.category !== 'source');
}
