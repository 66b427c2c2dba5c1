/**
 * A sub-flow's content on its own, before it is saved: checked as it would be
 * inside a flow (the connections and reference data its nodes name are the
 * using flow's to declare), and split off or put into a `subflow` node's config.
 * Browser-safe: the designer's save dialog shows the same problems.
 */
import type { ExpressionEvaluator } from '../expression/evaluator.ts';
import type { FlowDocument } from '../flow-document.ts';
import type { NodeCatalog } from '../node-catalog.ts';
import { validateFlow, type FlowProblem } from '../validate-flow.ts';
import { MAX_SUBFLOW_DEPTH } from './expand.ts';
import { SUBFLOW_NAME_PATTERN, SUBFLOW_TYPE, type SubflowConfig, type SubflowDefinition } from './subflow.ts';

/** The content a `subflow` node pins (its config without name and version). */
export function definitionOf(config: SubflowConfig): SubflowDefinition {
  const { name: _name, version: _version, ...definition } = config;
  return definition;
}

/** The `subflow` node config pinning `version` of `name`. */
export const pinnedConfig = (name: string, version: number, definition: SubflowDefinition): SubflowConfig => ({ name, version, ...definition });

/** The nodes that run for a sub-flow: its own and, for each sub-flow it uses, that one's (bounded by MAX_SUBFLOW_DEPTH). */
export function innerNodes(definition: Pick<SubflowDefinition, 'nodes'>, depth = 1): SubflowDefinition['nodes'] {
  return (definition.nodes ?? []).flatMap((n) => (n.type === SUBFLOW_TYPE
    ? (depth < MAX_SUBFLOW_DEPTH ? innerNodes(n.config as unknown as SubflowDefinition, depth + 1) : [])
    : [n]));
}

/** Connection names the sub-flow's nodes use, those of sub-flows it uses included (the using flow must declare them). */
export function connectionsUsed(definition: SubflowDefinition): string[] {
  const names = innerNodes(definition).map((n) => n.config.connection).filter((c): c is string => typeof c === 'string' && c !== '');
  return [...new Set(names)];
}

/** Every problem of a sub-flow about to be saved as `name`; paths point into the definition (`/nodes/0/config/expression`). */
export function subflowProblems(name: string, definition: SubflowDefinition, catalog: NodeCatalog, evaluator: ExpressionEvaluator): FlowProblem[] {
  const problems: FlowProblem[] = [];
  if (!new RegExp(SUBFLOW_NAME_PATTERN).test(name)) {
    problems.push({ code: 'schema', path: '/name', message: `"${name}" is not a sub-flow name: use letters, digits, _, . and - (at most 100), starting with a letter or digit` });
  }
  const inputs = Array.isArray(definition?.inputs) ? definition.inputs : [];
  // Checked under its own name, so a sub-flow it uses that uses it back is a cycle naming the chain.
  const checkedAs = problems.length ? 'check' : name;
  // A stand-in flow: one source feeding every input, so the graph is checked as it would be in a flow.
  const doc: FlowDocument = {
    id: 'subflow-check', name,
    nodes: [
      { id: 'source', type: 'source.webhook', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
      { id: 'subflow', type: SUBFLOW_TYPE, typeVersion: 1, position: { x: 0, y: 0 }, config: { ...definition, name: checkedAs, version: 1 } },
    ],
    edges: inputs.map((input, i) => ({ id: `in-${i}`, source: 'source', target: 'subflow', targetHandle: input?.id })),
  };
  const prefix = '/nodes/1/config';
  for (const p of validateFlow(doc, catalog, evaluator)) {
    if (p.code === 'unknown-connection' || !p.path.startsWith(prefix)) continue;
    problems.push({ ...p, nodeId: undefined, path: p.path.slice(prefix.length) || '/', message: p.message.replace(`Sub-flow '${checkedAs}' v1 (node 'subflow'): `, '').replace(/^Node 'subflow' \(Sub-flow\): /, '') });
  }
  return problems;
}

/** A sub-flow node met in a flow or inside a sub-flow's pinned copy. */
export interface PinnedSubflow {
  /** JSON pointer of the node (`/nodes/2`, `/nodes/2/config/nodes/0`). */
  path: string;
  nodeId: string;
  config: SubflowConfig;
  /** The sub-flows it sits in, outermost first (empty: used by the flow itself). */
  via: string[];
  /** The node of `nodes` (the flow's, as the canvas shows it) it is or sits in. */
  outerNodeId: string;
}

/** Every sub-flow node of `nodes` and, depth first, of the pinned copies they carry (bounded by MAX_SUBFLOW_DEPTH). */
export function pinnedSubflows(nodes: readonly { id: string; type: string; config: Record<string, unknown> }[]): PinnedSubflow[] {
  const found: PinnedSubflow[] = [];
  const walk = (list: typeof nodes, path: string, via: string[], outer: string | null) => {
    (list ?? []).forEach((node, i) => {
      if (node.type !== SUBFLOW_TYPE) return;
      const config = node.config as unknown as SubflowConfig;
      const at = `${path}/nodes/${i}`;
      found.push({ path: at, nodeId: node.id, config, via, outerNodeId: outer ?? node.id });
      if (Array.isArray(config.nodes) && !via.includes(config.name) && via.length < MAX_SUBFLOW_DEPTH) {
        walk(config.nodes, `${at}/config`, [...via, config.name], outer ?? node.id);
      }
    });
  };
  walk(nodes, '', [], null);
  return found;
}
