/**
 * Every route of the HTTP API with its request and responses, keyed
 * `'METHOD /path'`. Summaries, roles and handlers are in runtime/api/routes/;
 * the shapes are here, once. Errors are problem documents (added by
 * runtime/api/define-route.ts to each 4xx declared here, with 400, 401, 403
 * and 413 where they apply).
 */
import { z } from 'zod';
import { defineContract, described, json, jsonBody } from './define-contract.ts';
import {
  AuditEntrySchema, ConnectionKindSchema, ConnectionSchema, DailyReconciliationSchema, DeadLetterPageSchema, DeadLetterStatusSchema, DeploymentHistorySchema,
  DeploymentSchema, EnvironmentSchema, ErrorClassSchema, FlowDetailSchema, FlowDiffSchema, FlowDocumentInput, FlowDraftSchema, FlowProblemSchema,
  ConnectionReadinessSchema, DatabaseSchemaSchema, EnvironmentChecksSchema, FlowSummarySchema, HealthFiguresSchema, ImpactPreviewSchema, ItemsOf, MappingTestResultSchema, NodeTypeSchema, PageOf, PageQuery, pathParams,
  PollingSchema, ProblemItemSchema, PromotionSchema, ReferenceSetRowsSchema, ReferenceSetUploadSchema, ReferenceSetVersionSchema, PromotionStatusSchema, RecordOutcomeSchema, ReplayRequestSchema, RoleSchema, RunAcceptedSchema, RunDetailSchema,
  RunPageSchema, RunQuerySchema, RunRowSchema, SampleSchema, SavedDraftSchema, ScheduleSchema, StoredSampleSchema, StoredTraceSchema,
  TestRunRequestSchema, TestRunResultSchema, TokenSchema, TraceWithSourceRecordSchema, TriggerSettingsSchema, UserSchema, VersionInfoSchema,
  VersionRowSchema,
} from './schemas.ts';
import { AlertRuleInputSchema, AlertRuleSchema, AlertSchema, AlertStatusSchema } from './alert-schemas.ts';
import { SaveSubflowSchema, StoredSubflowSchema, SubflowDetailSchema, SubflowSummarySchema } from './subflow-schemas.ts';

const Target = z.object({ environment: z.string().min(1), version: z.number().int().positive() });
const versionParam = z.union([z.literal('draft'), z.coerce.number().int().positive()]).meta({ description: 'A version number or `draft`' });
const noFlow = described('No such flow');
const Readiness = z.strictObject({ status: z.enum(['ready', 'not ready']), database: z.string().meta({ description: '`ok` or what is wrong' }), queue: z.string() });

export const api = defineContract({
  // ------------------------------------------------------------ auth and users
  'POST /api/auth/login': {
    request: { body: jsonBody(z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024) })) },
    responses: {
      200: json(z.strictObject({ user: UserSchema }), 'Signed in; the session cookie is set (HttpOnly, SameSite=Lax)'),
      401: described('Wrong username or password, or the account is disabled'),
      403: described('Sent by a browser from another site (`Sec-Fetch-Site: cross-site`)'),
      429: described('Too many failed sign-ins (5 in 15 minutes) for the username or from the address; `Retry-After` gives the seconds to wait'),
    },
  },
  'POST /api/auth/logout': { responses: { 204: described('Signed out') } },
  'GET /api/auth/me': { responses: { 200: json(z.strictObject({ user: UserSchema }), 'The user') } },
  'POST /api/tokens': {
    request: { body: jsonBody(z.object({ name: z.string().min(1).max(100) })) },
    responses: { 201: json(z.strictObject({ id: z.string(), name: z.string(), token: z.string() }), 'The token; send it as Authorization: Bearer <token>. It is not shown again.') },
  },
  'GET /api/tokens': { responses: { 200: json(ItemsOf(TokenSchema), 'Tokens') } },
  'DELETE /api/tokens/{id}': { request: { params: pathParams('id') }, responses: { 204: described('Revoked'), 404: described('No such token') } },
  'GET /api/users': { responses: { 200: json(ItemsOf(UserSchema), 'Users') } },
  'POST /api/users': {
    request: { body: jsonBody(z.object({ username: z.string().min(1).max(63), password: z.string().max(1024), role: RoleSchema, displayName: z.string().max(200).optional() })) },
    responses: { 201: json(UserSchema, 'Created'), 409: described('Username taken'), 422: described('Weak password or bad username') },
  },
  'PATCH /api/users/{id}': {
    request: { params: pathParams('id'), body: jsonBody(z.object({ role: RoleSchema.optional(), disabled: z.boolean().optional(), password: z.string().max(1024).optional(), displayName: z.string().max(200).optional() })) },
    responses: { 200: json(UserSchema, 'Updated'), 404: described('No such user'), 409: described('Would leave no active admin'), 422: described('Weak password') },
  },

  // ------------------------------------------------------------ flows
  'GET /api/node-types': { responses: { 200: json(z.array(NodeTypeSchema), 'Node type declarations') } },
  'GET /api/flows': {
    request: { query: z.object({ search: z.string().max(200).optional() }) },
    responses: { 200: json(ItemsOf(FlowSummarySchema), 'Flows') },
  },
  'POST /api/flows': {
    request: { body: jsonBody(z.object({ document: FlowDocumentInput })) },
    responses: { 201: json(FlowDetailSchema, 'Created'), 409: described('A flow with that id exists'), 422: described('No usable id or name') },
  },
  'GET /api/flows/{id}': { request: { params: pathParams('id') }, responses: { 200: json(FlowDetailSchema, 'The flow'), 404: noFlow } },
  'PUT /api/flows/{id}/draft': {
    request: { params: pathParams('id'), body: jsonBody(z.object({ document: FlowDocumentInput, revision: z.number().int().positive().optional() })) },
    responses: {
      200: json(SavedDraftSchema, 'Saved'),
      404: noFlow,
      409: described('The draft was saved by someone else since `revision` (nothing saved); the problem carries the current `revision`, `updatedBy`, `updatedAt` and `draft`'),
      422: described('No usable id or name, or the id differs from the flow\'s'),
    },
  },
  'POST /api/flows/{id}/duplicate': {
    request: { params: pathParams('id'), body: jsonBody(z.object({ id: z.string().min(1).max(63), name: z.string().min(1).max(1000).meta({ description: 'At most 200 characters (FLOW_LIMITS.nameChars), checked with the flow document (422)' }) })) },
    responses: { 201: json(FlowSummarySchema, 'Created'), 404: noFlow, 409: described('The new id is taken'), 422: described('No usable id or name') },
  },
  'DELETE /api/flows/{id}': { request: { params: pathParams('id') }, responses: { 204: described('Deleted'), 404: noFlow, 409: described('Still deployed') } },
  'GET /api/flows/{id}/export': {
    request: { params: pathParams('id'), query: z.object({ version: z.coerce.number().int().positive().optional() }) },
    responses: { 200: json(FlowDraftSchema, 'The flow file (Content-Disposition: attachment): the draft\'s, which may have problems, or a version\'s'), 404: described('No such flow or version') },
  },
  'POST /api/flows/import': {
    request: { body: jsonBody(z.object({ document: FlowDocumentInput, overwriteDraft: z.boolean().optional() })) },
    responses: { 201: json(FlowSummarySchema, 'Imported'), 409: described('The flow exists and overwriteDraft is not set'), 422: described('The flow has problems (all listed)') },
  },
  'POST /api/flows/validate': {
    request: { body: jsonBody(z.object({ document: z.unknown() })) },
    responses: { 200: json(z.strictObject({ problems: z.array(FlowProblemSchema) }), 'Problems (empty when valid)') },
  },
  'GET /api/flows/{id}/samples': { request: { params: pathParams('id') }, responses: { 200: json(ItemsOf(StoredSampleSchema), 'Samples'), 404: noFlow } },
  'POST /api/flows/{id}/samples': {
    request: { params: pathParams('id'), body: jsonBody(SampleSchema) },
    responses: { 201: json(StoredSampleSchema, 'Stored with the flow (replacing one of the same name)'), 400: described('No content, or content that is not base64'), 404: noFlow },
  },

  // ------------------------------------------------------------ versions
  'GET /api/flows/{id}/versions': { request: { params: pathParams('id') }, responses: { 200: json(ItemsOf(VersionInfoSchema), 'Versions'), 404: noFlow } },
  'POST /api/flows/{id}/versions': {
    request: { params: pathParams('id'), body: jsonBody(z.object({ message: z.string().min(1).max(2000) })) },
    responses: { 201: json(VersionRowSchema.extend({ testsPassed: z.boolean().nullable() }), 'The new version'), 404: noFlow, 422: described('The draft has problems (all listed)') },
  },
  'GET /api/flows/{id}/versions/{version}': {
    request: { params: z.object({ id: z.string().min(1).max(300), version: z.coerce.number().int().positive() }) },
    responses: { 200: json(VersionRowSchema, 'The version'), 404: described('No such flow or version') },
  },
  'GET /api/flows/{id}/versions/{version}/readiness': {
    request: { params: z.object({ id: z.string().min(1).max(300), version: z.coerce.number().int().positive() }) },
    responses: { 200: json(ConnectionReadinessSchema, 'Per environment, the connections it does not bind'), 404: described('No such flow or version') },
  },
  'GET /api/flows/{id}/diff': {
    request: { params: pathParams('id'), query: z.object({ from: versionParam, to: versionParam }) },
    responses: { 200: json(FlowDiffSchema, 'The diff'), 404: described('No such flow or version') },
  },

  // ------------------------------------------------------------ designing
  'POST /api/flows/{id}/test-run': {
    request: { params: pathParams('id'), body: jsonBody(TestRunRequestSchema) },
    responses: { 200: json(TestRunResultSchema, 'The dry run\'s outcome'), 404: noFlow, 422: described('The flow has problems, or reference data is missing') },
  },
  'POST /api/flows/{id}/samples/parse': {
    request: { params: pathParams('id'), body: jsonBody(SampleSchema.extend({ sourceNodeId: z.string().optional() })) },
    responses: {
      200: json(z.strictObject({ records: z.array(z.unknown().meta({ description: 'A record as the source read it' })), total: z.number().int() }), 'The first 1000 records and how many there are'),
      404: described('No such flow, or no stored sample of that name'),
      422: described('Unreadable sample (file, line and column named)'),
    },
  },
  'POST /api/flows/{id}/mapping-tests/run': {
    request: { params: pathParams('id'), body: jsonBody(z.object({ document: FlowDocumentInput.optional() }), false) },
    responses: { 200: json(z.strictObject({ results: z.array(MappingTestResultSchema) }), 'One result per test'), 404: noFlow, 422: described('The flow has problems, or reference data is missing') },
  },

  // ------------------------------------------------------------ environments
  'GET /api/environments': { responses: { 200: json(ItemsOf(EnvironmentSchema), 'Environments') } },
  'GET /api/connections': {
    request: { query: z.object({ environment: z.string().optional() }) },
    responses: { 200: json(ItemsOf(ConnectionSchema), 'Connections'), 404: described('No such environment') },
  },
  'PUT /api/connections/{environment}/{name}': {
    request: {
      params: pathParams('environment', 'name'),
      body: jsonBody(z.object({ kind: ConnectionKindSchema, settings: z.record(z.string(), z.unknown()), secrets: z.record(z.string(), z.string().max(10_000)).optional() })),
    },
    responses: { 200: json(ConnectionSchema, 'Saved (without secret values)'), 404: described('No such environment'), 422: described('Invalid settings (all problems listed)') },
  },
  'GET /api/connections/{environment}/{name}/schema': {
    request: { params: pathParams('environment', 'name') },
    responses: {
      200: json(DatabaseSchemaSchema, "The tables and columns of the connection's database (read from information_schema, read only)"),
      404: described('No such environment or connection'),
      422: described('The connection is not a database'),
      502: described('The database could not be reached or read'),
    },
  },
  'GET /api/flows/{id}/environment-checks': {
    request: { params: pathParams('id'), query: z.object({ environment: z.string().min(1).max(100), version: z.coerce.number().int().positive().optional() }) },
    responses: { 200: json(EnvironmentChecksSchema, 'What would fail in that environment (empty problems: nothing found)'), 404: described('No such flow, version or environment') },
  },
  'POST /api/connections/{environment}/{name}/test': {
    request: { params: pathParams('environment', 'name') },
    responses: {
      200: json(z.strictObject({ ok: z.boolean(), message: z.string().meta({ description: 'What answered, or why it failed (never a secret value)' }) }), 'The outcome of reaching the system with the stored settings and secrets'),
      404: described('No such environment or connection'),
    },
  },
  'DELETE /api/connections/{environment}/{name}': {
    request: { params: pathParams('environment', 'name') },
    responses: { 204: described('Removed'), 404: described('No such connection') },
  },

  // ------------------------------------------------------------ deployments
  'GET /api/flows/{id}/deployments': { request: { params: pathParams('id') }, responses: { 200: json(ItemsOf(DeploymentSchema), 'Deployments'), 404: noFlow } },
  'GET /api/flows/{id}/deployments/history': {
    request: { params: pathParams('id'), query: z.object({ environment: z.string().optional() }) },
    responses: { 200: json(ItemsOf(DeploymentHistorySchema), 'History'), 404: noFlow },
  },
  'POST /api/flows/{id}/deployments': {
    request: { params: pathParams('id'), body: jsonBody(Target) },
    responses: { 201: json(DeploymentSchema, 'Deployed'), 404: described('No such flow, version or environment'), 409: described('The environment needs an approved promotion'), 422: described('Mapping tests fail (listed)') },
  },
  'POST /api/flows/{id}/rollback': {
    request: { params: pathParams('id'), body: jsonBody(Target) },
    responses: { 201: json(DeploymentSchema, 'Rolled back'), 404: described('No such flow, version or environment'), 409: described('Already deployed there'), 422: described('The version never ran there') },
  },
  'POST /api/flows/{id}/promotions': {
    request: { params: pathParams('id'), body: jsonBody(Target) },
    responses: { 201: json(PromotionSchema, 'Pending promotion'), 404: described('No such flow, version or environment'), 409: described('Already pending or already deployed'), 422: described('Mapping tests fail (listed)') },
  },
  'GET /api/promotions': {
    request: { query: z.object({ status: PromotionStatusSchema.optional(), flow: z.string().optional() }) },
    responses: { 200: json(ItemsOf(PromotionSchema), 'Promotions') },
  },
  'POST /api/promotions/{id}/approve': {
    request: { params: pathParams('id') },
    responses: {
      200: json(z.strictObject({ promotion: PromotionSchema, deployment: DeploymentSchema }), 'Approved and deployed'),
      404: described('No such promotion'), 409: described('Already decided, or the approver authored a change (four-eyes)'), 422: described('Mapping tests fail'),
    },
  },
  'POST /api/promotions/{id}/reject': {
    request: { params: pathParams('id'), body: jsonBody(z.object({ reason: z.string().min(1).max(2000) })) },
    responses: { 200: json(PromotionSchema, 'Rejected'), 404: described('No such promotion'), 409: described('Already decided') },
  },
  'POST /api/flows/{id}/impact-preview': {
    request: { params: pathParams('id'), body: jsonBody(z.object({ version: z.number().int().positive(), environment: z.string().min(1), limit: z.number().int().min(1).max(1000).optional() })) },
    responses: { 200: json(ImpactPreviewSchema, 'Record-by-record comparison'), 404: described('No such flow, version or environment'), 409: described('Nothing deployed to compare with') },
  },

  // ------------------------------------------------------------ triggers
  'GET /api/flows/{id}/triggers': {
    request: { params: pathParams('id'), query: z.object({ environment: z.string().optional() }) },
    responses: { 200: json(TriggerSettingsSchema, 'Trigger settings'), 404: described('No such flow or environment') },
  },
  'POST /api/flows/{id}/triggers/{environment}/webhook-secret': {
    request: { params: pathParams('id', 'environment') },
    responses: { 200: json(z.strictObject({ secret: z.string(), url: z.string() }), 'The new secret; the old one stops working now'), 404: described('No such flow or environment') },
  },
  'PUT /api/flows/{id}/triggers/{environment}/schedule': {
    request: { params: pathParams('id', 'environment'), body: jsonBody(ScheduleSchema) },
    responses: { 200: json(ScheduleSchema.extend({ nextFireAt: z.string().nullable() }).strict(), 'Saved'), 404: described('No such flow or environment'), 422: described('Bad cron expression or time zone') },
  },
  'PUT /api/flows/{id}/triggers/{environment}/polling': {
    request: { params: pathParams('id', 'environment'), body: jsonBody(PollingSchema) },
    responses: { 200: json(PollingSchema.extend({ nextPollAt: z.string().nullable() }).strict(), 'Saved'), 404: described('No such flow or environment') },
  },
  'POST /hooks/{flowId}/{environment}': {
    request: {
      params: pathParams('flowId', 'environment'),
      headers: z.object({
        'x-ledgerflow-timestamp': z.string().optional().meta({ description: 'Unix seconds' }),
        'x-ledgerflow-signature': z.string().optional().meta({ description: 'sha256=<hex>' }),
      }),
      body: { content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary', description: 'The event (JSON, XML, CSV …), read by the flow\'s source' }) } } },
    },
    responses: {
      202: json(RunAcceptedSchema, 'Durably queued'),
      401: described('Missing, bad, stale or replayed signature; nothing queued'),
      404: described('No such flow or environment, or no webhook secret set'),
      409: described('Nothing deployed in that environment'),
      500: described('The event could not be queued (nothing queued, the signature not spent): send the same delivery again'),
    },
  },

  // ------------------------------------------------------------ runs
  'POST /api/flows/{id}/runs': {
    request: { params: pathParams('id'), body: jsonBody(z.object({ environment: z.string().min(1), input: SampleSchema.optional() })) },
    responses: { 202: json(RunAcceptedSchema, 'Queued'), 404: described('No such flow or environment, or no stored sample of that name'), 409: described('Nothing deployed there') },
  },
  'GET /api/runs': { request: { query: RunQuerySchema }, responses: { 200: json(RunPageSchema, 'A page of runs, with counts by status') } },
  'GET /api/runs/events': {
    request: { query: z.object({ flow: z.string().optional() }) },
    responses: { 200: { description: 'Server-sent events: `ready` once, then a `run` event (data: a RunRow) whenever a run changes', content: { 'text/event-stream': { schema: z.string() } } } },
  },
  'GET /api/runs/{id}': { request: { params: pathParams('id') }, responses: { 200: json(RunDetailSchema, 'The run'), 404: described('No such run') } },
  'GET /api/runs/{id}/records': {
    request: { params: pathParams('id'), query: z.object({ outcome: RecordOutcomeSchema.optional(), search: z.string().max(300).optional(), ...PageQuery }) },
    responses: { 200: json(PageOf(StoredTraceSchema), 'A page of traces'), 404: described('No such run') },
  },
  'GET /api/runs/{id}/records/{lineageKey}': {
    request: { params: pathParams('id', 'lineageKey') },
    responses: { 200: json(TraceWithSourceRecordSchema, 'The trace, with where every record of its source record ended'), 404: described('No such run or record') },
  },
  'POST /api/runs/{id}/cancel': {
    request: { params: pathParams('id') },
    responses: { 200: json(RunRowSchema, 'The run'), 404: described('No such run'), 409: described('Already finished') },
  },
  'GET /api/search': {
    request: { query: z.object({ businessKey: z.string().min(1).max(300), ...PageQuery }) },
    responses: { 200: json(PageOf(StoredTraceSchema), 'Traces, newest first') },
  },

  // ------------------------------------------------------------ operations
  'GET /api/dead-letters': {
    request: {
      query: z.object({
        flow: z.string().optional(), errorClass: ErrorClassSchema.optional(), status: DeadLetterStatusSchema.optional(),
        olderThan: z.iso.datetime({ offset: true }).optional(), runId: z.string().optional(), ...PageQuery,
      }),
    },
    responses: { 200: json(DeadLetterPageSchema, 'A page of dead letters, with counts by error class') },
  },
  'POST /api/dead-letters/replay': {
    request: { body: jsonBody(ReplayRequestSchema) },
    responses: {
      202: json(RunAcceptedSchema, 'Replay queued'), 404: described('Unknown dead letter or run'), 409: described('Nothing open to replay, or a selected one was discarded'),
      422: described('The selection spans flows or versions'),
    },
  },
  'POST /api/dead-letters/discard': {
    request: { body: jsonBody(z.object({ ids: z.array(z.number().int().positive()).min(1).max(10_000), reason: z.string().min(1).max(2000) })) },
    responses: { 200: json(z.strictObject({ discarded: z.number().int() }), 'Discarded'), 404: described('Unknown dead letter'), 409: described('Not open') },
  },
  'GET /api/reconciliation/daily': {
    request: { query: z.object({ flow: z.string().optional(), environment: z.string().optional(), days: z.coerce.number().int().min(1).max(366).optional() }) },
    responses: { 200: json(ItemsOf(DailyReconciliationSchema), 'Days, newest first') },
  },
  'GET /api/audit': {
    request: {
      query: z.object({
        entity: z.string().optional(), entityId: z.string().optional(), actor: z.string().optional(), action: z.string().optional(),
        flow: z.string().optional().meta({ description: 'Entries about this flow: the flow, its versions, deployments, promotions, triggers and runs' }),
        since: z.iso.datetime({ offset: true }).optional(), until: z.iso.datetime({ offset: true }).optional(), ...PageQuery,
      }),
    },
    responses: { 200: json(PageOf(AuditEntrySchema), 'A page of entries') },
  },

  // ------------------------------------------------------------ reference data
  'GET /api/reference-data': { responses: { 200: json(ItemsOf(ReferenceSetVersionSchema), 'Every set at its current version') } },
  'POST /api/reference-data/check': {
    request: { body: jsonBody(z.object({ document: FlowDocumentInput })) },
    responses: { 200: json(z.strictObject({ problems: z.array(ProblemItemSchema) }), "The flow's reference data problems (unknown set, key, one-to-many)") },
  },
  'PUT /api/reference-data/{set}': {
    request: { params: pathParams('set'), body: jsonBody(ReferenceSetUploadSchema) },
    responses: {
      200: json(z.strictObject({ version: ReferenceSetVersionSchema, unchanged: z.boolean() }), 'Loaded as a new version (or unchanged: the same as the current one)'),
      422: described('The file cannot be read, names no such field, or has rows without a key or repeated keys'),
    },
  },
  'GET /api/reference-data/{set}/versions': {
    request: { params: pathParams('set') },
    responses: { 200: json(z.strictObject({ current: ReferenceSetVersionSchema, versions: z.array(ReferenceSetVersionSchema) }), 'Versions, newest first'), 404: described('No such set') },
  },
  'GET /api/reference-data/{set}/rows': {
    request: { params: pathParams('set'), query: z.object({ version: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(5000).optional() }) },
    responses: { 200: json(ReferenceSetRowsSchema, 'The version (default the current one) with its first rows'), 404: described('No such set or version') },
  },

  // ------------------------------------------------------------ sub-flows
  'GET /api/subflows': { responses: { 200: json(ItemsOf(SubflowSummarySchema), 'Every sub-flow at its latest version, with the flows using it') } },
  'PUT /api/subflows/{name}': {
    request: { params: pathParams('name'), body: jsonBody(SaveSubflowSchema) },
    responses: {
      200: json(z.strictObject({ subflow: StoredSubflowSchema, unchanged: z.boolean() }), 'Saved as a new version (or unchanged: the same as the latest one)'),
      422: described('The sub-flow has problems (each named, with its path)'),
    },
  },
  'GET /api/subflows/{name}': {
    request: { params: pathParams('name'), query: z.object({ version: z.coerce.number().int().positive().optional() }) },
    responses: { 200: json(SubflowDetailSchema, 'The version (default the latest) with its content, every version and the flows using it'), 404: described('No such sub-flow or version') },
  },

  // ------------------------------------------------------------ health
  'GET /healthz': { responses: { 200: json(z.strictObject({ status: z.literal('ok') }), 'Alive') } },
  'GET /readyz': {
    responses: {
      200: json(Readiness, 'Ready'),
      503: json(Readiness, 'Not ready (the part that is not is named)'),
    },
  },
  'GET /api/health': {
    request: { query: z.object({ hours: z.coerce.number().int().min(1).max(720).optional() }) },
    responses: { 200: json(HealthFiguresSchema, 'Figures for the window') },
  },
  // ------------------------------------------------------------ alerts
  'GET /api/alert-rules': {
    request: { query: z.object({ flow: z.string().optional(), environment: z.string().optional() }) },
    responses: { 200: json(ItemsOf(AlertRuleSchema), 'Rules by flow, environment and name') },
  },
  'POST /api/alert-rules': {
    request: { body: jsonBody(AlertRuleInputSchema) },
    responses: { 201: json(AlertRuleSchema, 'The rule (audited)'), 404: described('No such environment'), 422: described('A value the rule cannot take (named)') },
  },
  'PUT /api/alert-rules/{id}': {
    request: { params: pathParams('id'), body: jsonBody(AlertRuleInputSchema) },
    responses: { 200: json(AlertRuleSchema, 'The rule as changed (audited)'), 404: described('No such rule or environment'), 422: described('A value the rule cannot take (named)') },
  },
  'DELETE /api/alert-rules/{id}': {
    request: { params: pathParams('id') },
    responses: { 204: described('Deleted (audited); its alerts go with it'), 404: described('No such rule') },
  },
  'GET /api/alerts': {
    request: {
      query: z.object({ flow: z.string().optional(), environment: z.string().optional(), rule: z.string().optional(), runId: z.string().optional(), status: AlertStatusSchema.optional(), ...PageQuery }),
    },
    responses: { 200: json(PageOf(AlertSchema), 'Alerts raised, newest first, with each attempt to send them') },
  },
  'GET /metrics': { responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } } } },
});

export type ApiContract = typeof api;
export type ApiRouteKey = keyof ApiContract;
