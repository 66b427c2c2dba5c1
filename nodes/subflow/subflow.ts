/**
 * `subflow`: a group of nodes saved once as a named, versioned sub-flow and
 * used by several flows. The node carries a pinned copy of the version it
 * uses (name, version, declared input and output ports, inner nodes and
 * edges), so a flow version runs the same sub-flow content forever, and
 * moving to a newer sub-flow version is a change of the flow that its diff
 * shows. The engine never runs this node: `expandSubflows` (expand.ts)
 * replaces it by its inner nodes, ids namespaced `<node>/<inner>`, before a
 * flow is prepared, so traces and lineage name each inner node.
 */
import { Type, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type PortDeclaration } from '../define-node.ts';
import { FlowError } from '../errors.ts';

export const SUBFLOW_TYPE = 'subflow';

/** What a sub-flow may be called (and how its ports are named). */
export const SUBFLOW_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$';
const PORT_ID = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';
const NODE_ID = '^[A-Za-z0-9_-]{1,64}$';

const innerPort = Type.Object({
  node: Type.String({ title: 'Inner node', pattern: NODE_ID }),
  port: Type.Optional(Type.String({ title: 'Port of the inner node' })),
}, { additionalProperties: false });

const input = Type.Object({
  id: Type.String({ title: 'Input port', pattern: PORT_ID }),
  title: Type.Optional(Type.String({ title: 'Shown on the canvas' })),
  /** The inner nodes (and their input ports) that records entering here go to. */
  targets: Type.Array(innerPort, { minItems: 1 }),
}, { additionalProperties: false });

const output = Type.Object({
  id: Type.String({ title: 'Output port', pattern: PORT_ID }),
  title: Type.Optional(Type.String({ title: 'Shown on the canvas' })),
  /** The inner nodes' output ports whose records leave here. */
  sources: Type.Array(innerPort, { minItems: 1 }),
}, { additionalProperties: false });

// Inner nodes and edges are checked as flow nodes are (validate-flow.ts), with the node catalog.
const innerNode = Type.Object({
  id: Type.String({ pattern: NODE_ID }),
  type: Type.String(),
  typeVersion: Type.Integer({ minimum: 1 }),
  position: Type.Object({ x: Type.Number(), y: Type.Number() }, { additionalProperties: false }),
  label: Type.Optional(Type.String()),
  config: Type.Record(Type.String(), Type.Unknown()),
  retry: Type.Optional(Type.Object({ attempts: Type.Integer({ minimum: 1, maximum: 20 }), backoffMs: Type.Integer({ minimum: 0 }), maxBackoffMs: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false })),
}, { additionalProperties: false });

const innerEdge = Type.Object({
  id: Type.String({ minLength: 1 }),
  source: Type.String(),
  sourceHandle: Type.Optional(Type.String()),
  target: Type.String(),
  targetHandle: Type.Optional(Type.String()),
}, { additionalProperties: false });

const config = Type.Object({
  name: Type.String({ title: 'Sub-flow', pattern: SUBFLOW_NAME_PATTERN, default: '' }),
  version: Type.Integer({ title: 'Version', minimum: 1, default: 1 }),
  description: Type.Optional(Type.String({ title: 'Description' })),
  inputs: Type.Array(input, { title: 'Inputs', minItems: 1, default: [] }),
  outputs: Type.Array(output, { title: 'Outputs', default: [] }),
  nodes: Type.Array(innerNode, { title: 'Nodes', minItems: 1, default: [] }),
  edges: Type.Array(innerEdge, { title: 'Connections', default: [] }),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Sub-flow', additionalProperties: false });

/** The pinned sub-flow a `subflow` node carries; also what the store keeps per version (without name and version). */
export type SubflowConfig = Static<typeof config>;
export type SubflowInput = Static<typeof input>;
export type SubflowOutput = Static<typeof output>;

/** A sub-flow's content: what one stored version holds. */
export type SubflowDefinition = Omit<SubflowConfig, 'name' | 'version'>;

const portsOf = (ports: { id: string; title?: string }[] | undefined): PortDeclaration[] => (ports ?? []).map((p) => ({ id: p.id, title: p.title || p.id }));

/** Port ids used twice (what the ports connect to is checked with the inner nodes, in validate-flow.ts). */
function checkPorts(c: SubflowConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const check = (kind: 'inputs' | 'outputs', ports: (SubflowInput | SubflowOutput)[]) => {
    const seen = new Set<string>();
    ports.forEach((p, i) => {
      if (seen.has(p.id)) problems.push({ path: `/${kind}/${i}/id`, message: `Sub-flow '${c.name}' declares ${kind === 'inputs' ? 'input' : 'output'} '${p.id}' twice` });
      seen.add(p.id);
    });
  };
  check('inputs', c.inputs ?? []);
  check('outputs', c.outputs ?? []);
  return problems;
}

/** `subflow`: a pinned version of a stored sub-flow, expanded into its nodes before a run. */
export const subflowNode = defineNode({
  type: SUBFLOW_TYPE,
  version: 1,
  title: 'Sub-flow',
  description: 'A reusable group of nodes, saved once with declared inputs and outputs and used by several flows; the flow pins the version it uses.',
  category: 'transform',
  inputs: (c: SubflowConfig) => portsOf(c.inputs),
  outputs: (c: SubflowConfig) => portsOf(c.outputs),
  config,
  check: checkPorts,
  summary: (c) => `${c.name} v${c.version} · ${c.nodes?.length ?? 0} nodes`,
  create(c, setup) {
    // Flows are expanded (expand.ts) before they are prepared; reaching this is a bug in the caller.
    throw new FlowError('permanent', `Sub-flow node '${setup.nodeId}' (${c.name} v${c.version}) was not expanded before the run`, { nodeId: setup.nodeId });
  },
});
