/**
 * Shared request and response schemas. They validate requests and, through
 * @hono/zod-openapi, become the components of the OpenAPI document. Large
 * engine types (run rows, traces) are described loosely: their TypeScript
 * types in runtime/store/store.ts are the reference.
 */
import { z } from '@hono/zod-openapi';

export const ProblemItemSchema = z.object({
  path: z.string().openapi({ description: 'JSON pointer or field name at fault', example: '/nodes/2/config/expression' }),
  message: z.string(),
  nodeId: z.string().optional(),
  position: z.number().int().optional(),
}).openapi('ProblemItem');

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  problems: z.array(ProblemItemSchema).optional(),
  requiredRole: z.union([z.string(), z.array(z.string())]).optional(),
}).openapi('Problem', { description: 'RFC 9457 problem document (application/problem+json)' });

export const RoleSchema = z.enum(['analyst', 'admin', 'operator']).openapi('Role');

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: RoleSchema,
  displayName: z.string(),
  disabled: z.boolean().optional(),
  createdAt: z.string().optional(),
}).openapi('User');

/** The flow document; its full JSON Schema replaces this component in the generated document. */
export const FlowDocumentSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  nodes: z.array(z.unknown()),
  edges: z.array(z.unknown()),
}).openapi('FlowDocument', { description: 'A flow document (flows/flow.schema.json).' });

/** A flow document as received: checked by validateFlow (422 listing every problem), not here. */
export const FlowDocumentInput = z.record(z.string(), z.unknown()).openapi({ description: 'A flow document (see the FlowDocument schema); checked by flow validation, every problem reported at once.' });

export const FlowProblemSchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  position: z.number().int().optional(),
}).openapi('FlowProblem');

export const DeploymentsMapSchema = z.record(z.string(), z.number().int().nullable()).openapi({ description: 'Environment → deployed version (null: none)' });

export const FlowSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
  latestVersion: z.number().int().nullable(),
  deployments: DeploymentsMapSchema,
}).openapi('FlowSummary');

export const FlowDetailSchema = FlowSummarySchema.extend({
  draft: FlowDocumentSchema,
  revision: z.number().int().openapi({ description: 'The draft\'s revision: send it back with `PUT …/draft` so a save over someone else\'s newer save is refused (409).' }),
  problems: z.array(FlowProblemSchema),
}).openapi('FlowDetail');

export const VersionInfoSchema = z.object({
  version: z.number().int(),
  author: z.string(),
  message: z.string(),
  createdAt: z.string(),
  hash: z.string(),
  testsPassed: z.boolean().nullable(),
}).openapi('VersionInfo');

export const VersionRowSchema = z.object({
  flowId: z.string(),
  version: z.number().int(),
  document: FlowDocumentSchema,
  hash: z.string().openapi({ description: 'sha-256 of the canonical document' }),
  author: z.string(),
  message: z.string(),
  createdAt: z.string(),
}).openapi('VersionRow');

export const SampleSchema = z.object({
  name: z.string().min(1).max(300).openapi({ description: 'File name; its extension picks the format (csv, json, jsonl, xml)' }),
  content: z.string().optional().openapi({ description: 'Text content' }),
  contentBase64: z.string().optional().openapi({ description: 'Binary content, base64' }),
}).openapi('Sample', { description: 'A sample document: `content` (text) or `contentBase64`; with neither, a sample stored with the flow of that name.' });

export const EnvironmentSchema = z.object({ name: z.string(), position: z.number().int(), requiresApproval: z.boolean() }).openapi('Environment');

export const ConnectionSchema = z.object({
  environment: z.string(),
  name: z.string(),
  kind: z.enum(['postgres', 'http', 'sftp']),
  settings: z.record(z.string(), z.unknown()),
  secretNames: z.array(z.string()).openapi({ description: 'Names of the secrets set; values are never returned' }),
  updatedAt: z.string().optional(),
  updatedBy: z.string().nullable().optional(),
}).openapi('Connection');

export const DeploymentSchema = z.object({
  environment: z.string(),
  version: z.number().int(),
  deployedBy: z.string(),
  deployedAt: z.string(),
}).openapi('Deployment');

export const PromotionSchema = z.object({
  id: z.string(),
  flowId: z.string(),
  version: z.number().int(),
  environment: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  requestedBy: z.string(),
  requestedAt: z.string(),
  authors: z.array(z.string()).openapi({ description: 'Users who authored a change in the version (four-eyes)' }),
  decidedBy: z.string().nullable().optional(),
  decidedAt: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
  canApprove: z.boolean().optional(),
  cannotApproveReason: z.string().optional(),
}).openapi('Promotion');

export const RunRowSchema = z.looseObject({
  id: z.string(),
  flowId: z.string(),
  version: z.number().int().nullable(),
  environment: z.string().nullable(),
  trigger: z.string(),
  status: z.string(),
  counts: z.record(z.string(), z.number()),
}).openapi('RunRow', { description: 'A run (RunRow in runtime/store/store.ts)' });

export const TraceSchema = z.looseObject({
  id: z.number().int(),
  runId: z.string(),
  lineageKey: z.string(),
  businessKey: z.string().nullable(),
  outcome: z.string(),
}).openapi('StoredTrace', { description: 'A record trace (StoredTrace in runtime/store/store.ts); sensitive fields masked' });

export const DeadLetterSchema = z.looseObject({
  id: z.number().int(),
  runId: z.string(),
  flowId: z.string(),
  errorClass: z.string(),
  status: z.string(),
}).openapi('DeadLetter', { description: 'A quarantined or dead-lettered record (DeadLetterRow in runtime/store/store.ts)' });

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
}).openapi('AuditEntry');

export const RunIdSchema = z.object({ runId: z.string() }).openapi('RunAccepted');

export const ItemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
export const PageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `limit` and `cursor` query parameters. */
export const PageQuery = {
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
};
