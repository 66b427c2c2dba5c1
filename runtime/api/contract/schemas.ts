/**
 * The shapes of the HTTP API, written once: zod schemas with OpenAPI metadata
 * (`.meta`), from which come the request validation, the OpenAPI document
 * (/api/openapi.json), the TypeScript types of the route handlers and of the
 * designer (`z.infer`), and the check of every response in the API tests.
 *
 * Browser-safe: zod and the plain enum lists only. The designer imports this
 * module's types (`import type`), never its values, so zod stays out of its
 * bundle. Response objects are strict (a field not declared here fails the
 * response check); record payloads (a source record, a node's output) are any
 * JSON value; a flow document is checked by its own JSON Schema (a version's
 * in full, a draft's structure: nodes/flow-draft-schema.ts). Request bodies
 * carrying a document take any object: flow validation reports every problem
 * of it at once (422), which a schema failing on the first could not.
 */
import { z } from 'zod';
import type { FlowDiff } from '../../../nodes/flow-diff.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import flowDocumentSchema from '../../../nodes/flow-document.schema.json' with { type: 'json' };
import { FLOW_DRAFT_SCHEMA } from '../../../nodes/flow-draft-schema.ts';
import { MappingTestResultSchema, ValueDifferenceSchema, type MappingTestResult } from '../../../nodes/mapping-test-result.ts';
import type { ValueDifference } from '../../../nodes/value-diff.ts';
import {
  CONNECTION_KINDS, DEAD_LETTER_STATUSES, ERROR_CLASSES, PROMOTION_STATUSES, RECORD_OUTCOMES, REPLAY_AGAINST, REPLAY_REFERENCES, ROLES, RUN_STATUSES,
} from './enums.ts';

/** Any JSON value: a record's data, which has the shape its source gives it. */
export const JsonValue = z.unknown().meta({ description: 'Any JSON value (record data)' });

// ---------------------------------------------------------------- enums

export const RoleSchema = z.enum(ROLES).meta({ id: 'Role' });
export const RunStatusSchema = z.enum(RUN_STATUSES).meta({ id: 'RunStatus' });
export const RecordOutcomeSchema = z.enum(RECORD_OUTCOMES).meta({ id: 'RecordOutcome' });
export const ErrorClassSchema = z.enum(ERROR_CLASSES).meta({ id: 'ErrorClass' });
export const DeadLetterStatusSchema = z.enum(DEAD_LETTER_STATUSES).meta({ id: 'DeadLetterStatus' });
export const PromotionStatusSchema = z.enum(PROMOTION_STATUSES).meta({ id: 'PromotionStatus' });
export const ConnectionKindSchema = z.enum(CONNECTION_KINDS).meta({ id: 'ConnectionKind' });
export const ReplayAgainstSchema = z.enum(REPLAY_AGAINST);
export const ReplayReferenceSchema = z.enum(REPLAY_REFERENCES);

// ---------------------------------------------------------------- helpers

export const ItemsOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });
export const PageOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });

/** `limit` and `cursor` query parameters. */
export const PageQuery = {
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
};

/** Path parameters, each a non-empty string. */
export const pathParams = <K extends string>(...names: K[]) =>
  z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(300)])) as Record<K, z.ZodString>);

// ---------------------------------------------------------------- problems

export const ProblemItemSchema = z.strictObject({
  path: z.string().meta({ description: 'JSON pointer or field name at fault', example: '/nodes/2/config/expression' }),
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  position: z.number().int().optional(),
  code: z.string().optional(),
}).meta({ id: 'ProblemItem' });


// ---------------------------------------------------------------- errors, engine figures

export const RuleFailureSchema = z.strictObject({
  rule: z.string(), message: z.string(), severity: z.enum(['error', 'warning']), field: z.string().optional(),
}).meta({ id: 'RuleFailure' });

export const SerializedErrorSchema = z.strictObject({
  errorClass: ErrorClassSchema,
  message: z.string(),
  nodeId: z.string().optional(),
  field: z.string().optional(),
  position: z.number().optional(),
  code: z.string().optional(),
  retryAfterMs: z.number().optional(),
  failures: z.array(RuleFailureSchema).optional(),
  status: z.number().optional(),
}).meta({ id: 'FlowError' });

export const OutcomeCountsSchema = z.strictObject({
  read: z.number().int(), delivered: z.number().int(), quarantined: z.number().int(),
  deadLettered: z.number().int(), duplicate: z.number().int(), filtered: z.number().int(),
  aggregated: z.number().int().optional().meta({ description: 'Folded into a group by an aggregate node (absent on runs stored before: they counted such lines filtered)' }),
}).meta({ id: 'OutcomeCounts' });

const CurrencyTotals = z.record(z.string(), z.string()).meta({ description: 'Currency code → exact decimal total' });

export const RUN_WARNING_CODES = ['ALL_FILTERED', 'EXPRESSION_MATCHED_NOTHING', 'EXPRESSION_MATCHED_PARTLY', 'ITEM_AMOUNTS_DIFFER'] as const;

export const RunWarningSchema = z.strictObject({
  code: z.enum(RUN_WARNING_CODES),
  message: z.string(),
  expression: z.string().optional().meta({ description: 'The declaration concerned, e.g. amount.value, node to-entries itemKey' }),
  unmatched: z.number().int().optional().meta({ description: 'Evaluations that gave nothing (EXPRESSION_MATCHED_PARTLY / _NOTHING)' }),
  of: z.number().int().optional(),
  notice: z.literal(true).optional().meta({ description: 'Shown, but not by itself an exception' }),
}).meta({ id: 'RunWarning' });

export const ItemSumsSchema = z.strictObject({
  checked: z.number().int(),
  differing: z.number().int().meta({ description: 'Records whose items do not sum to their amount' }),
  examples: z.array(z.strictObject({
    sourceKey: z.string(), node: z.string(), currency: z.string(),
    recordAmount: z.string(), itemsTotal: z.string(), items: z.number().int(),
  })).meta({ description: 'The first few of those (at most 5)' }),
}).meta({ id: 'ItemSums', description: "Whether a fan-out's declared item amounts sum, exactly, to their source record's amount" });

export const SampleWarningSchema = z.strictObject({
  code: z.enum([...RUN_WARNING_CODES, 'SOURCE_READ_NOTHING', 'SAMPLE_RUN_FAILED', 'TARGET_FIELD_MATCHED_NOTHING', 'TARGET_FIELD_MATCHED_PARTLY']),
  message: z.string(),
  expression: z.string().optional(),
  nodeId: z.string().optional(),
  configPath: z.string().optional(),
}).meta({ id: 'SampleWarning' });

const ReconciliationBase = z.strictObject({
  counts: OutcomeCountsSchema,
  totals: z.strictObject({
    read: CurrencyTotals, delivered: CurrencyTotals, quarantined: CurrencyTotals, deadLettered: CurrencyTotals, duplicate: CurrencyTotals, filtered: CurrencyTotals,
    aggregated: CurrencyTotals.optional(),
  }),
  closes: z.boolean(),
  differences: z.array(z.string()),
  withoutAmount: z.number().int(),
  partiallyDelivered: z.number().int().optional(),
  expressions: z.strictObject({ declared: z.record(z.string(), z.number()), unmatched: z.record(z.string(), z.number()) }).optional(),
  warnings: z.array(RunWarningSchema).optional(),
  itemSums: ItemSumsSchema.optional(),
});

export const ReconciliationSchema = ReconciliationBase.extend({
  items: ReconciliationBase.optional().meta({ description: 'The same figures counted per item (fan-out entries)' }),
  groups: ReconciliationBase.optional().meta({ description: 'The group records aggregate nodes emitted, counted apart from the source records: read = groups emitted, with their outcomes' }),
}).meta({ id: 'Reconciliation' });

export const NodeStatsSchema = z.strictObject({
  nodeId: z.string(), in: z.number().int(), out: z.number().int(), invalid: z.number().int(), errors: z.number().int(), ms: z.number(),
}).meta({ id: 'NodeStats' });

export const RecordTraceSchema = z.strictObject({
  runId: z.string(),
  lineageKey: z.string(),
  sourceKey: z.string(),
  itemKey: z.string().optional(),
  businessKey: z.string().nullable(),
  path: z.array(z.string()),
  outcome: RecordOutcomeSchema,
  endNode: z.string(),
  targetNode: z.string().optional(),
  idempotencyKey: z.string().optional(),
  targetRef: z.string().optional(),
  targetStatus: z.number().optional(),
  errorClass: ErrorClassSchema.optional(),
  error: SerializedErrorSchema.optional(),
  failures: z.array(RuleFailureSchema).optional(),
  retries: z.array(z.strictObject({ attempt: z.number().int(), at: z.string(), error: SerializedErrorSchema })).optional(),
  input: JsonValue,
  output: JsonValue,
  steps: z.array(z.strictObject({ node: z.string(), data: JsonValue })),
  amount: z.string().optional(),
  currency: z.string().optional(),
  eventTime: z.number().optional(),
  finishedAt: z.number(),
}).meta({ id: 'RecordTrace', description: 'Where one record went; sensitive fields masked' });

export const StoredTraceSchema = RecordTraceSchema.extend({
  id: z.number().int(), flowId: z.string(), version: z.number().int().nullable(),
}).meta({ id: 'StoredTrace' });

export const SourceRecordOutcomesSchema = z.strictObject({
  lineageKey: z.string(),
  ends: z.array(z.strictObject({
    lineageKey: z.string(), nodeId: z.string(), outcome: RecordOutcomeSchema,
    itemKey: z.string().optional().meta({ description: 'The fan-out item\'s own key, when the flow declares one' }),
    amount: z.string().optional().meta({ description: 'The record\'s (or fan-out item\'s declared) amount, exact decimal' }),
    currency: z.string().optional(),
  })),
  partiallyDelivered: z.boolean(),
}).meta({ id: 'SourceRecordOutcomes' });

export const ConnectionReadinessSchema = z.strictObject({
  environments: z.array(z.strictObject({
    environment: z.string(),
    problems: z.array(ProblemItemSchema).meta({ description: 'Connections the version uses that this environment does not bind (or binds as another kind)' }),
  })),
}).meta({ id: 'ConnectionReadiness' });

export const DatabaseSchemaSchema = z.strictObject({
  dialect: z.enum(['postgres', 'mysql']),
  searchPath: z.array(z.string()).meta({ description: 'Schemas an unqualified table name is looked up in' }),
  tables: z.array(z.strictObject({
    schema: z.string(),
    name: z.string(),
    columns: z.array(z.strictObject({
      name: z.string(),
      type: z.string().meta({ description: "information_schema's data type, lower case", example: 'numeric' }),
      maxLength: z.number().int().nullable(),
      precision: z.number().int().nullable(),
      scale: z.number().int().nullable(),
      nullable: z.boolean(),
      hasDefault: z.boolean(),
    })),
  })),
  truncated: z.boolean().meta({ description: 'The database has more columns than are read at once (20,000)' }),
}).meta({ id: 'DatabaseSchema' });

export const EnvironmentChecksSchema = z.strictObject({
  environment: z.string(),
  version: z.number().int().nullable().meta({ description: 'The version checked; null: the draft' }),
  problems: z.array(ProblemItemSchema).meta({ description: "Connections the flow uses that the environment does not bind; its table targets against that environment's database (missing table or column, NOT NULL column without a value, constant or stored sample's value its column cannot hold)" }),
  checkedTargets: z.number().int().meta({ description: 'Table targets checked against a database' }),
  checkedSamples: z.array(z.string()).meta({ description: "The flow's stored samples dry-run to check the values they give the table targets' columns (code SAMPLE_VALUE_DOES_NOT_FIT)" }),
}).meta({ id: 'EnvironmentChecks' });

export const TraceWithSourceRecordSchema = StoredTraceSchema.extend({ sourceRecord: SourceRecordOutcomesSchema.optional() }).meta({ id: 'TraceWithSourceRecord' });

// ---------------------------------------------------------------- users and tokens

export const UserSchema = z.strictObject({
  id: z.string(),
  username: z.string(),
  role: RoleSchema,
  displayName: z.string(),
  disabled: z.boolean().optional(),
  createdAt: z.string().optional(),
}).meta({ id: 'User' });

export const TokenSchema = z.strictObject({ id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() }).meta({ id: 'ApiToken' });

// ---------------------------------------------------------------- flows and versions

// The document's own JSON Schema, with its `$schema`/`$id` (not keywords of a schema inside the API document).
const { $schema: _dialect, $id: _documentId, ...flowDocumentJsonSchema } = flowDocumentSchema as Record<string, unknown>;

/**
 * A flow document as a version holds it (it was valid when saved): its JSON
 * Schema (nodes/flow-document.schema.json) made into zod, so a response is
 * checked by the very rules files and the designer check. The OpenAPI document
 * carries that JSON Schema itself as the component.
 */
export const FlowDocumentSchema = (z.fromJSONSchema(flowDocumentJsonSchema) as unknown as z.ZodType<FlowDocument>)
  .meta({ id: 'FlowDocument', description: 'A flow document (flows/flow.schema.json).' });

/** A flow document as a draft holds it: the document's structure, without the value rules flow validation reports (nodes/flow-draft-schema.ts). */
export const FlowDraftSchema = (z.fromJSONSchema(FLOW_DRAFT_SCHEMA) as unknown as z.ZodType<FlowDocument>)
  .meta({ id: 'FlowDraft', description: FLOW_DRAFT_SCHEMA.description });

/** The components the JSON Schemas of nodes/ stand for in the OpenAPI document, as written there. */
export const FLOW_DOCUMENT_COMPONENTS: Record<string, Record<string, unknown>> = { FlowDocument: flowDocumentJsonSchema, FlowDraft: FLOW_DRAFT_SCHEMA };

/** A flow document as received: checked by flow validation (422 listing every problem), not here. */
export const FlowDocumentInput = z.record(z.string(), z.unknown())
  .meta({ description: 'A flow document (see the FlowDocument schema); checked by flow validation, every problem reported at once.' }) as unknown as z.ZodType<Record<string, unknown>, FlowDocument | Record<string, unknown>>;

export const FlowProblemSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  path: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  position: z.number().int().optional(),
}).meta({ id: 'FlowProblem' });

export const DeploymentsMapSchema = z.record(z.string(), z.number().int().nullable()).meta({ description: 'Environment → deployed version (null: none)' });

export const FlowSummarySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
  latestVersion: z.number().int().nullable(),
  deployments: DeploymentsMapSchema,
}).meta({ id: 'FlowSummary' });

export const FlowDetailSchema = FlowSummarySchema.extend({
  draft: FlowDraftSchema,
  revision: z.number().int().meta({ description: 'The draft\'s revision: send it back with `PUT …/draft` so a save over someone else\'s newer save is refused (409).' }),
  problems: z.array(FlowProblemSchema),
}).meta({ id: 'FlowDetail' });

export const SavedDraftSchema = z.strictObject({ draft: FlowDraftSchema, revision: z.number().int(), problems: z.array(FlowProblemSchema) }).meta({ id: 'SavedDraft' });

export const VersionInfoSchema = z.strictObject({
  version: z.number().int(),
  author: z.string(),
  message: z.string(),
  createdAt: z.string(),
  hash: z.string(),
  testsPassed: z.boolean().nullable(),
}).meta({ id: 'VersionInfo' });

export const VersionRowSchema = z.strictObject({
  flowId: z.string(),
  version: z.number().int(),
  document: FlowDocumentSchema,
  hash: z.string().meta({ description: 'sha-256 of the canonical document' }),
  author: z.string(),
  message: z.string(),
  createdAt: z.string(),
}).meta({ id: 'VersionRow' });

export { FlowDiffSchema } from './flow-diff-schema.ts';

export const PortSchema = z.strictObject({
  id: z.string(), title: z.string(),
  required: z.boolean().optional().meta({ description: 'An output that must be connected' }),
  quarantine: z.boolean().optional().meta({ description: 'Records leaving here failed a check: counted as invalid, quarantined when the port is not connected' }),
}).meta({ id: 'Port' });

export const NodeTypeSchema = z.strictObject({
  type: z.string(),
  version: z.number().int(),
  title: z.string(),
  description: z.string(),
  category: z.string(),
  inputs: z.array(PortSchema),
  outputs: z.array(PortSchema).meta({ description: 'Output ports for the default config (some depend on the config)' }),
  configSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the node\'s config' }),
  defaults: z.record(z.string(), z.unknown()).meta({ description: 'The config a new node starts with' }),
}).meta({ id: 'NodeType' });

// ---------------------------------------------------------------- designing

export const SampleSchema = z.object({
  name: z.string().min(1).max(300).meta({ description: 'File name; its extension picks the format (csv, json, jsonl, xml)' }),
  content: z.string().optional().meta({ description: 'Text content' }),
  contentBase64: z.string().optional().meta({ description: 'Binary content, base64' }),
}).meta({ id: 'Sample', description: 'A sample document: `content` (text) or `contentBase64`; with neither, a sample stored with the flow of that name.' });

export const StoredSampleSchema = z.strictObject({ name: z.string(), size: z.number().int(), createdAt: z.string() }).meta({ id: 'StoredSample' });

export const NodeOutputSchema = z.strictObject({ port: z.string(), data: JsonValue, failures: z.array(RuleFailureSchema).optional() }).meta({ id: 'NodeOutput' });

export const TestRunResultSchema = z.strictObject({
  status: RunStatusSchema,
  counts: OutcomeCountsSchema,
  reconciliation: ReconciliationSchema.nullable(),
  nodes: z.array(NodeStatsSchema),
  outputs: z.record(z.string(), z.array(NodeOutputSchema)).meta({ description: 'Node id → its captured outputs' }),
  records: z.array(RecordTraceSchema),
  error: SerializedErrorSchema.optional(),
  sampleWarnings: z.array(SampleWarningSchema).optional().meta({ description: 'Target field paths that matched nothing in the records reaching their target' }),
}).meta({ id: 'TestRunResult' });

export const TestRunRequestSchema = z.object({
  document: FlowDocumentInput.optional(),
  sample: SampleSchema.optional(),
  records: z.array(z.unknown()).max(100_000).optional(),
  sourceNodeId: z.string().optional(),
  captureOutputs: z.number().int().min(0).max(1000).optional(),
});

// A mapping test's result is declared beside the flow document (nodes/mapping-test-result.ts); the contract serves it.
export { MappingTestResultSchema, ValueDifferenceSchema };

/**
 * RFC 9457 problem document, with the extension members the API sends: each
 * named here (a member not declared fails the response check like any other).
 */
export const ProblemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  problems: z.array(ProblemItemSchema).optional(),
  requiredRole: z.union([RoleSchema, z.array(RoleSchema)]).optional(),
  revision: z.number().int().optional().meta({ description: '409 on a draft save: the current draft\'s revision (with `updatedBy`, `updatedAt` and `draft`)' }),
  updatedBy: z.string().nullable().optional(),
  updatedAt: z.string().optional(),
  draft: FlowDraftSchema.optional(),
  testResults: z.array(MappingTestResultSchema).optional().meta({ description: '422 on a deploy or promotion gated on mapping tests: every test\'s result' }),
  retryAfterSeconds: z.number().int().optional().meta({ description: '429 on sign-in: when to try again (also the `Retry-After` header)' }),
}).meta({ id: 'Problem', description: 'RFC 9457 problem document (application/problem+json)' });

// ---------------------------------------------------------------- environments, deployments, promotions

export const EnvironmentSchema = z.strictObject({ name: z.string(), position: z.number().int(), requiresApproval: z.boolean() }).meta({ id: 'Environment' });

export const ConnectionSchema = z.strictObject({
  environment: z.string(),
  name: z.string(),
  kind: ConnectionKindSchema,
  settings: z.record(z.string(), z.unknown()).meta({ description: 'Settings of the kind (see PUT); secrets appear only as `{{secret:name}}` references' }),
  secretNames: z.array(z.string()).meta({ description: 'Names of the secrets set; values are never returned' }),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
}).meta({ id: 'Connection' });

export const DeploymentSchema = z.strictObject({
  environment: z.string(),
  version: z.number().int(),
  deployedBy: z.string(),
  deployedAt: z.string(),
}).meta({ id: 'Deployment' });

export const DeploymentHistorySchema = DeploymentSchema.extend({ kind: z.enum(['deploy', 'promotion', 'rollback']), promotionId: z.string().nullable() }).meta({ id: 'DeploymentHistoryEntry' });

export const PromotionSchema = z.strictObject({
  id: z.string(),
  flowId: z.string(),
  version: z.number().int(),
  environment: z.string(),
  status: PromotionStatusSchema,
  requestedBy: z.string(),
  requestedAt: z.string(),
  authors: z.array(z.string()).meta({ description: 'Users who authored a change in the version (four-eyes)' }),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  canApprove: z.boolean().optional().meta({ description: 'Whether the signed-in user may approve it (in lists and on request)' }),
  cannotApproveReason: z.string().optional(),
}).meta({ id: 'Promotion' });

export const ImpactRecordSchema = z.strictObject({
  lineageKey: z.string(),
  businessKey: z.string().nullable(),
  before: z.strictObject({ outcome: RecordOutcomeSchema.nullable(), output: JsonValue }),
  after: z.strictObject({ outcome: RecordOutcomeSchema.nullable(), output: JsonValue }),
  differences: z.array(ValueDifferenceSchema),
  changed: z.boolean(),
}).meta({ id: 'ImpactRecord' });

export const ImpactPreviewSchema = z.strictObject({
  flowId: z.string(),
  environment: z.string(),
  deployedVersion: z.number().int(),
  version: z.number().int(),
  compared: z.number().int(),
  changed: z.number().int(),
  newlyInvalid: z.number().int(),
  newlyValid: z.number().int(),
  records: z.array(ImpactRecordSchema),
}).meta({ id: 'ImpactPreview' });

// ---------------------------------------------------------------- triggers

export const ScheduleSchema = z.object({ cron: z.string().min(1).max(200), timezone: z.string().min(1).max(100), enabled: z.boolean() });
export const PollingSchema = z.object({ intervalSeconds: z.number().int().min(5).max(7 * 24 * 3600), enabled: z.boolean() });

export const TriggerSettingsSchema = z.strictObject({
  environment: z.string(),
  webhook: z.strictObject({ url: z.string(), secretSet: z.boolean() }),
  schedule: z.strictObject({
    cron: z.string(), timezone: z.string(), enabled: z.boolean(),
    nextFireAt: z.string().nullable(), lastFiredAt: z.string().nullable(), lastRunId: z.string().nullable(), lastError: z.string().nullable(),
  }).nullable(),
  polling: z.strictObject({
    intervalSeconds: z.number().int(), enabled: z.boolean(),
    nextPollAt: z.string().nullable(), lastPolledAt: z.string().nullable(), lastRunId: z.string().nullable(), lastError: z.string().nullable(),
  }).nullable(),
}).meta({ id: 'TriggerSettings' });

// ---------------------------------------------------------------- runs

export const RunRowSchema = z.strictObject({
  id: z.string(),
  flowId: z.string(),
  version: z.number().int().nullable(),
  environment: z.string().nullable(),
  trigger: z.string(),
  triggerRef: z.string().nullable().meta({ description: 'What triggered it (file name, webhook event, schedule)' }),
  status: RunStatusSchema,
  counts: OutcomeCountsSchema,
  reconciliation: ReconciliationSchema.nullable(),
  error: SerializedErrorSchema.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  replayOf: z.string().nullable(),
  referenceVersions: z.record(z.string(), z.strictObject({ set: z.string(), version: z.number().int() })).nullable()
    .meta({ description: 'The version of each stored reference data set the run read, by the name the flow gives it' }),
}).meta({ id: 'RunRow' });

export const RunAcceptedSchema = z.strictObject({ runId: z.string() }).meta({ id: 'RunAccepted' });

export const RunPageSchema = PageOf(RunRowSchema).extend({
  statusCounts: z.record(z.string(), z.number().int()).meta({ description: 'Run status → how many runs of the filter have it (every status, 0 when none)' }),
}).meta({ id: 'RunPage' });

export const RunDetailSchema = z.strictObject({
  run: RunRowSchema,
  nodes: z.array(NodeStatsSchema),
  version: VersionRowSchema.nullable(),
  timeline: z.array(z.strictObject({ at: z.string(), event: z.string(), detail: z.string() })),
}).meta({ id: 'RunDetail' });

export const RunQuerySchema = z.object({
  flow: z.string().optional(), environment: z.string().optional(), status: RunStatusSchema.optional(), trigger: z.string().optional(),
  since: z.iso.datetime({ offset: true }).optional(), until: z.iso.datetime({ offset: true }).optional(),
  hasExceptions: z.enum(['true', 'false']).optional(), ...PageQuery,
});

// ---------------------------------------------------------------- operations

export const DeadLetterSchema = z.strictObject({
  id: z.number().int(),
  runId: z.string(),
  flowId: z.string(),
  version: z.number().int().nullable(),
  environment: z.string().nullable(),
  lineageKey: z.string(),
  sourceKey: z.string(),
  itemKey: z.string().meta({ description: 'The failed item within the source record (\'\' for the whole record)' }),
  businessKey: z.string().nullable(),
  nodeId: z.string(),
  entryNode: z.string().nullable().meta({ description: 'A group record: the aggregate node its replay runs the stored group from' }),
  disposition: z.enum(['quarantined', 'dead_lettered']),
  errorClass: ErrorClassSchema,
  error: SerializedErrorSchema,
  status: DeadLetterStatusSchema,
  statusReason: z.string().nullable(),
  replayRunId: z.string().nullable(),
  attempts: z.number().int(),
  firstRunId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'DeadLetter', description: 'A quarantined or dead-lettered record (its unmasked source record stays on the server)' });

export const DeadLetterPageSchema = PageOf(DeadLetterSchema).extend({
  countsByClass: z.record(z.string(), z.number().int()).meta({ description: 'Error class → dead letters of the status asked (default open) of the flow (every class, 0 when none)' }),
}).meta({ id: 'DeadLetterPage' });

export const ReplayRequestSchema = z.object({
  ids: z.array(z.number().int().positive()).max(10_000).optional(), runId: z.string().optional(), against: ReplayAgainstSchema,
  reference: ReplayReferenceSchema.optional().meta({ description: '`current` (default): re-evaluate with the reference data loaded now (not a worker\'s cached copy); `as-it-was`: the reference data as loaded when the records last failed.' }),
});

export const AuditEntrySchema = z.strictObject({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  before: JsonValue,
  after: JsonValue,
}).meta({ id: 'AuditEntry' });

const RECONCILIATION_FIGURES = ['read', 'delivered', 'quarantined', 'deadLettered', 'duplicate', 'filtered', 'aggregated'] as const;
export type ReconciliationFigure = (typeof RECONCILIATION_FIGURES)[number];

export const DailyReconciliationSchema = z.strictObject({
  day: z.string(),
  flowId: z.string(),
  environment: z.string().nullable(),
  runs: z.number().int(),
  replayRuns: z.number().int(),
  runsNotClosing: z.number().int().meta({ description: 'Runs whose own reconciliation does not close' }),
  counts: z.record(z.enum(RECONCILIATION_FIGURES), z.number().int()),
  totals: z.record(z.enum(RECONCILIATION_FIGURES), CurrencyTotals),
  closes: z.boolean().meta({ description: 'Every run closes, and read = the sum of the outcomes in count and in every currency' }),
  differences: z.array(z.string()),
}).meta({ id: 'DailyReconciliation' });

const Seconds = z.number().nullable();

export const HealthFiguresSchema = z.strictObject({
  window: z.string(),
  windowHours: z.number().int(),
  throughput: z.strictObject({
    runs: z.number().int(), itemsRead: z.number().int(), recordsRead: z.number().int(), recordsDelivered: z.number().int(), recordsPerSecond: z.number(),
    hourly: z.array(z.strictObject({ hour: z.string(), runs: z.number().int(), read: z.number().int(), delivered: z.number().int(), exceptions: z.number().int(), duplicate: z.number().int() })),
  }),
  failureRate: z.strictObject({
    runsFailed: z.number().int(), runsWithExceptions: z.number().int(), failedShare: z.number(), level: z.literal('items'),
    byClass: z.array(z.strictObject({ errorClass: z.string(), records: z.number().int(), share: z.number() })),
  }),
  latency: z.strictObject({ runSecondsP50: Seconds, runSecondsP95: Seconds, syncSecondsP50: Seconds, syncSecondsP95: Seconds, syncRecords: z.number().int() }),
  aging: z.strictObject({
    openDeadLetters: z.number().int(), oldestOpenDeadLetterAgeSeconds: Seconds,
    buckets: z.array(z.strictObject({ label: z.string(), maxSeconds: z.number().nullable(), count: z.number().int() })),
  }),
  runsInFlight: z.record(z.string(), z.number().int()),
  queue: z.strictObject({ depth: z.number().int(), active: z.number().int() }).nullable(),
  workers: z.array(z.strictObject({ id: z.string(), lastSeenAt: z.string(), chunksDone: z.number().int() })),
}).meta({ id: 'Health' });

// ---------------------------------------------------------------- types

export type Role = z.infer<typeof RoleSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
export type ProblemItem = z.infer<typeof ProblemItemSchema>;
export type User = z.infer<typeof UserSchema>;
export type FlowProblem = z.infer<typeof FlowProblemSchema>;
export type Deployments = z.infer<typeof DeploymentsMapSchema>;
export type FlowSummary = z.infer<typeof FlowSummarySchema>;
export type FlowDetail = z.infer<typeof FlowDetailSchema>;
export type VersionInfo = z.infer<typeof VersionInfoSchema>;
export type VersionRow = z.infer<typeof VersionRowSchema>;
export type NodeType = z.infer<typeof NodeTypeSchema>;
export type Sample = z.infer<typeof SampleSchema>;
export type NodeOutput = z.infer<typeof NodeOutputSchema>;
export type NodeStats = z.infer<typeof NodeStatsSchema>;
export type OutcomeCounts = z.infer<typeof OutcomeCountsSchema>;
export type Reconciliation = z.infer<typeof ReconciliationSchema>;
export type RuleFailure = z.infer<typeof RuleFailureSchema>;
export type RecordTrace = z.infer<typeof RecordTraceSchema>;
export type StoredTrace = z.infer<typeof StoredTraceSchema>;
export type TraceWithSourceRecord = z.infer<typeof TraceWithSourceRecordSchema>;
export type ConnectionReadiness = z.infer<typeof ConnectionReadinessSchema>;
export type DatabaseSchema = z.infer<typeof DatabaseSchemaSchema>;
export type EnvironmentChecks = z.infer<typeof EnvironmentChecksSchema>;
export type TestRunResult = z.infer<typeof TestRunResultSchema>;
export type TestRunRequest = z.input<typeof TestRunRequestSchema>;
export type { MappingTestResult, ValueDifference };
export type Environment = z.infer<typeof EnvironmentSchema>;
export type Connection = z.infer<typeof ConnectionSchema>;
export type Deployment = z.infer<typeof DeploymentSchema>;
export type Promotion = z.infer<typeof PromotionSchema>;
export type ImpactPreview = z.infer<typeof ImpactPreviewSchema>;
export type TriggerSettings = z.infer<typeof TriggerSettingsSchema>;
export type RunRow = z.infer<typeof RunRowSchema>;
export type RunPage = z.infer<typeof RunPageSchema>;
export type RunDetail = z.infer<typeof RunDetailSchema>;
export type RunFilters = Omit<z.input<typeof RunQuerySchema>, 'cursor' | 'limit'>;
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
export type DeadLetterPage = z.infer<typeof DeadLetterPageSchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type DailyReconciliation = z.infer<typeof DailyReconciliationSchema>;
export type HealthFigures = z.infer<typeof HealthFiguresSchema>;
export type { FlowDiff, FlowDocument };
export type ItemSums = z.infer<typeof ItemSumsSchema>;
export type SampleWarning = z.infer<typeof SampleWarningSchema>;

// ---------------------------------------------------------------- reference data

export const ReferenceSetVersionSchema = z.strictObject({
  set: z.string(),
  version: z.number().int(),
  keyFields: z.array(z.string()).meta({ description: 'The key field, or several (a composite key)' }),
  validFrom: z.string().nullable().meta({ description: 'Field of the first day a row is valid (effective dates)' }),
  validTo: z.string().nullable().meta({ description: 'Field of the last day a row is valid (inclusive)' }),
  multiple: z.boolean().meta({ description: 'Several rows may share a key (one-to-many)' }),
  rowCount: z.number().int(),
  sourceName: z.string().nullable().meta({ description: 'The file it was loaded from' }),
  loadedBy: z.string().nullable(),
  loadedAt: z.string(),
}).meta({ id: 'ReferenceSetVersion' });

export const ReferenceSetUploadSchema = z.object({
  key: z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1).max(10)]).meta({ description: 'Key field, or a list of fields (a composite key)' }),
  validFrom: z.string().max(200).nullable().optional(),
  validTo: z.string().max(200).nullable().optional(),
  multiple: z.boolean().optional(),
  fileName: z.string().min(1).max(300).meta({ description: 'The file name; .csv, .json or .jsonl says how to read it' }),
  content: z.string().max(10 * 1024 * 1024).meta({ description: 'The file as text' }),
}).meta({ id: 'ReferenceSetUpload' });

export const ReferenceSetRowsSchema = ReferenceSetVersionSchema.extend({
  rows: z.array(z.record(z.string(), z.unknown())),
  truncated: z.boolean().meta({ description: 'More rows than shown' }),
}).meta({ id: 'ReferenceSetRows' });
export type ReferenceSetVersion = z.infer<typeof ReferenceSetVersionSchema>;
