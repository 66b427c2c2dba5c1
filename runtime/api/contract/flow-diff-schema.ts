/**
 * The structured diff of two flow versions (nodes/flow-diff.ts) as the API
 * answers it: strict, field by field, so the response check fails on any
 * field the diff gains without this contract. A compile-time check below
 * keeps it equal to the `FlowDiff` type the diff is computed as.
 */
import { z } from 'zod';
import type { FlowDiff } from '../../../nodes/flow-diff.ts';

const LineDiffSchema = z.strictObject({
  kind: z.enum(['same', 'added', 'removed']),
  text: z.string(),
  fromLine: z.number().int().optional(),
  toLine: z.number().int().optional(),
}).meta({ id: 'LineDiff' });

const FieldChangeSchema = z.strictObject({
  path: z.string().meta({ description: 'Dotted path with [i] for array items, e.g. `columns.invoice_number`' }),
  kind: z.enum(['added', 'removed', 'changed']),
  from: z.unknown().optional().meta({ description: 'The old value (any JSON value of the config)' }),
  to: z.unknown().optional().meta({ description: 'The new value (any JSON value of the config)' }),
  lines: z.array(LineDiffSchema).optional().meta({ description: 'Expressions and multi-line text, line by line' }),
  item: z.string().optional(),
  reordered: z.literal(true).optional(),
  parts: z.array(z.string()).optional(),
}).meta({ id: 'FieldChange' });

const added = { nodeId: z.string(), type: z.string(), label: z.string().optional() };
const fromTo = <T extends z.ZodType>(t: T) => z.strictObject({ from: t, to: t });

const NodeChangeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...added, kind: z.literal('added') }),
  z.strictObject({ ...added, kind: z.literal('removed') }),
  z.strictObject({
    ...added,
    kind: z.literal('changed'),
    typeChanged: fromTo(z.string()).optional(),
    typeVersionChanged: fromTo(z.number().int()).optional(),
    labelChanged: z.strictObject({ from: z.string().optional(), to: z.string().optional() }).optional(),
    retryChanged: FieldChangeSchema.optional(),
    config: z.array(FieldChangeSchema),
  }),
]).meta({ id: 'NodeChange' });

const point = z.strictObject({ x: z.number(), y: z.number() });

export const FlowDiffSchema = z.strictObject({
  from: z.strictObject({ label: z.string() }),
  to: z.strictObject({ label: z.string() }),
  summary: z.strictObject({
    nodesAdded: z.number().int(), nodesRemoved: z.number().int(), nodesChanged: z.number().int(),
    edgesAdded: z.number().int(), edgesRemoved: z.number().int(), flowFieldsChanged: z.number().int(),
    layoutOnly: z.boolean().meta({ description: 'True when only node positions and labels differ' }),
  }),
  flow: z.array(FieldChangeSchema).meta({ description: 'Top-level flow fields; mapping tests summarised one change per test' }),
  nodes: z.array(NodeChangeSchema),
  edges: z.array(z.strictObject({
    kind: z.enum(['added', 'removed']), edgeId: z.string(), source: z.string(), sourceHandle: z.string(), target: z.string(), targetHandle: z.string(),
  })),
  layout: z.array(z.strictObject({ nodeId: z.string(), from: point, to: point })).meta({ description: 'Node moves, apart from semantic changes' }),
}).meta({ id: 'FlowDiff', description: 'Nodes added, removed and changed (config fields old → new, expressions as line diffs), edges, and layout-only moves.' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when the schema and nodes/flow-diff.ts's `FlowDiff` part ways. */
export const FLOW_DIFF_SCHEMA_MATCHES_TYPE: Same<z.infer<typeof FlowDiffSchema>, FlowDiff> = true;
