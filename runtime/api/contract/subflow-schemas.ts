/** The shapes of the sub-flow routes (see schemas.ts for how the contract is used). Browser-safe. */
import { z } from 'zod';
import type { SubflowDefinition } from '../../../nodes/subflow/subflow.ts';

const SubflowDefinitionInput = z.record(z.string(), z.unknown())
  .meta({ description: "A sub-flow's content: `inputs` and `outputs` (declared ports, each naming the inner nodes it connects to), `nodes` and `edges` (as in a flow document), optional `description`. Checked as in a flow, every problem reported at once." }) as unknown as z.ZodType<Record<string, unknown>, SubflowDefinition | Record<string, unknown>>;

export const SubflowVersionSchema = z.strictObject({
  name: z.string(),
  version: z.number().int(),
  description: z.string().nullable(),
  inputs: z.array(z.string()).meta({ description: 'Input port ids' }),
  outputs: z.array(z.string()).meta({ description: 'Output port ids' }),
  nodeCount: z.number().int(),
  hash: z.string().meta({ description: 'sha-256 of the canonical JSON of the content' }),
  message: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
}).meta({ id: 'SubflowVersion' });

export const SubflowUseSchema = z.strictObject({
  flowId: z.string(), flowName: z.string(), nodeId: z.string().meta({ description: "The flow's node using it (or the sub-flow node it is used through)" }),
  version: z.number().int().meta({ description: 'The version the flow (its draft) pins' }),
  via: z.array(z.string()).optional().meta({ description: 'The sub-flows it is used through, outermost first (absent: the flow uses it itself)' }),
}).meta({ id: 'SubflowUse' });

export const SubflowSummarySchema = SubflowVersionSchema.extend({ usedBy: z.array(SubflowUseSchema) }).meta({ id: 'SubflowSummary' });

export const StoredSubflowSchema = SubflowVersionSchema.extend({
  definition: z.record(z.string(), z.unknown()).meta({ description: 'inputs, outputs, nodes, edges, description' }),
}).meta({ id: 'StoredSubflow' });

export const SubflowDetailSchema = z.strictObject({
  subflow: StoredSubflowSchema,
  versions: z.array(SubflowVersionSchema).meta({ description: 'Newest first' }),
  usedBy: z.array(SubflowUseSchema),
});

export const SaveSubflowSchema = z.object({
  definition: SubflowDefinitionInput,
  message: z.string().max(500).optional(),
});
