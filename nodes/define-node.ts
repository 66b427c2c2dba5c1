/**
 * One node type, declared once: what the palette shows, the config schema the
 * inspector renders and the runtime validates with, and the behaviour.
 *
 * This module (like all of `nodes/`) is browser-safe: no `pg`, `fs` or `node:*`.
 * Whatever a node reads from or writes to the outside world it reaches through
 * the context the runtime hands it.
 *
 * ## How to declare a node
 *
 * Write its config ONCE, as a TypeBox schema (helpers in config-schema.ts), and
 * pass it as `config`; everything else about the config is derived from it:
 *
 * ```ts
 * const config = Type.Object({
 *   connection: Type.String({ title: 'Connection', minLength: 1, default: '' }),
 *   method: StringEnum(['POST', 'PUT'], { title: 'Method', default: 'POST' }),
 *   timeoutMs: Type.Integer({ title: 'Timeout (ms)', minimum: 1, default: 10000 }),
 *   idToField: Type.Optional(Type.String({ title: 'Id field in the answer' })),
 *   idempotencyKey: IdempotencyKey,                // targets: the shared expression field
 * }, { additionalProperties: false });
 * export type MyConfig = Static<typeof config>;   // the TypeScript type
 *
 * export const myTarget = defineNode({ type: 'target.mine', version: 1, category: 'target', config, ... });
 * ```
 *
 * - `configSchema` (plain JSON Schema for ajv, the designer's forms and
 *   flows/flow.schema.json) is the schema itself; `defaults` are its `default`s
 *   (an object property without one: its properties' defaults).
 * - A JSONata field is `Expression({...})`: it lands in `expressionFields` and
 *   `check()` syntax-checks it (an empty one is a problem) without being told.
 * - `check` holds only what a schema cannot say: rules across fields, field
 *   paths, SQL, URLs. The schema's own rules (required, enum, minimum …) are
 *   ajv's and are not repeated.
 * - What the engine needs of a config it reads through the declaration, never
 *   by property name: `idempotencyKey(config)` (a target with an
 *   `idempotencyKey` property gets it without asking), `deliveryTarget(config)`,
 *   and ports (`outputs`; a port whose records are quarantined when left
 *   unconnected says `quarantine: true`). See the accessors at the end.
 * - Changing the config's shape: bump `version`, write `upgrade()` from the
 *   older versions (saved flows keep loading), then `npm run gen:schema`.
 */
import type { Static, TObject } from '@sinclair/typebox';
import { checkExpressionFields, expressionPointers, plainSchema, schemaDefaults } from './config-schema.ts';
import type { ExpressionEvaluator, Bindings } from './expression/evaluator.ts';
import type { FlowError, RuleFailure } from './errors.ts';
import type { Group, GroupTable, StoredGroup } from './transform/aggregate-groups.ts';
import type { ReferenceDataSet } from './reference-data.ts';

export type NodeCategory = 'source' | 'transform' | 'route' | 'validate' | 'target';

export const NODE_CATEGORIES: readonly NodeCategory[] = ['source', 'transform', 'route', 'validate', 'target'];

/** A JSON Schema (draft 2020-12) object; kept loose so declarations stay plain data. */
export type JsonSchema = Record<string, unknown>;

export interface PortDeclaration {
  id: string;
  title: string;
  /** An output that must be connected for the flow to be valid. */
  required?: boolean;
  /** Records leaving here failed a check: counted as invalid, and quarantined when the port is not connected. */
  quarantine?: boolean;
}

/** A problem in a node's config found without running it (e.g. a JSONata syntax error). */
export interface ConfigProblem {
  /** JSON path within the config, e.g. `/expression` or `/rules/2/expression`. */
  path: string;
  message: string;
  /** Character position within an expression field. */
  position?: number;
  code?: string;
}

// ---------------------------------------------------------------------------
// Contexts handed in by the runtime (or by the designer for previews)

/** A SQL connection as nodes see it. Parameterised queries only. */
export interface SqlClient {
  /** The SQL dialect the statements must be written in; absent: Postgres. */
  dialect?: 'postgres' | 'mysql';
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[]; rowCount?: number | null }>;
  /** Runs `fn` in one transaction on one connection. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/**
 * How an HTTP connection authenticates besides its fixed headers. Every
 * credential here is a secret (hidden from messages, traces and logs).
 */
export type HttpAuth =
  | { type: 'api-key'; name: string; value: string; in: 'header' | 'query' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2-client-credentials';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      audience?: string;
      /** `basic` (RFC 6749's default: client id and secret in an Authorization header) or `body` (in the form). */
      clientAuth?: 'basic' | 'body';
    };

export interface HttpConnection {
  baseUrl: string;
  /** Extra headers (e.g. Authorization), resolved from secrets by the runtime. */
  headers: Record<string, string>;
  /** Requests per second the target allows; 0 or absent for no limit. */
  rateLimitPerSecond?: number;
  /**
   * Waits for this connection's next free request slot under `rateLimitPerSecond`. The runtime
   * binds it to the connection and environment, shared by every run and worker process.
   */
  waitForSlot?(signal?: AbortSignal): Promise<void>;
  /** Requests the target allows in flight at once; 0 or absent for no limit. */
  maxConcurrent?: number;
  /**
   * Holds one of this connection's `maxConcurrent` in-flight places (waiting while all are held) and resolves with
   * its release. The runtime binds it to the connection and environment, shared by every run and worker process.
   * Nodes call `requestTurn` (nodes/target/concurrency-limiter.ts), which takes the place and then the rate slot.
   */
  holdInFlight?(signal?: AbortSignal): Promise<() => Promise<void>>;
  /** Values that came from secrets (`{{secret:…}}`, `$env:…`): never written into messages, traces or dead letters. */
  secretValues?: string[];
  auth?: HttpAuth;
}

/** The message brokers a connection can be bound to. */
export type BrokerProtocol = 'amqp' | 'nats';

/** Where a broker target publishes: an AMQP exchange and routing key, or a NATS JetStream subject. */
export type BrokerDestination = { exchange: string; routingKey: string } | { subject: string };

/** A message a broker target publishes. */
export interface BrokerPublication {
  body: Uint8Array;
  /** The record's idempotency key: AMQP `message-id`, NATS `Nats-Msg-Id` (the stream drops a repeat within its window). */
  id: string;
  contentType: string;
  headers?: Record<string, string>;
}

/** The broker's answer to one publication: confirmed (with where it landed), or refused. */
export type PublishOutcome = { ok: true; ref?: string; stream?: string; sequence?: number } | { ok: false; error: FlowError };

/** A broker connection as targets see it; sources are fed by the runtime's consumers (see nodes/source/broker-messages.ts). */
export interface BrokerConnection {
  protocol: BrokerProtocol;
  /**
   * Publishes `messages` in order and waits until the broker confirmed each (AMQP publisher
   * confirms, JetStream publish acks). Throws a transient FlowError when the broker cannot be reached.
   */
  publish(destination: BrokerDestination, messages: BrokerPublication[], signal?: AbortSignal): Promise<PublishOutcome[]>;
}

/** One entry of an SFTP directory listing. */
export interface SftpEntry {
  name: string;
  /** `file`, `directory` or `other` (a link, a device). */
  type: 'file' | 'directory' | 'other';
  size: number;
  /** Modification time, milliseconds since the epoch. */
  modifiedMs: number;
}

/** An open SFTP session; paths are as the server sees them (relative to the login directory). */
export interface SftpSession {
  list(dir: string): Promise<SftpEntry[]>;
  /** The file's bytes, streamed. */
  read(path: string): AsyncIterable<Uint8Array>;
  /** Writes `path` whole: a temp name beside it, renamed over it once complete (never seen half-written). */
  writeAtomically(path: string, data: string | Uint8Array): Promise<void>;
  /** Renames, replacing `to` when it exists. */
  rename(from: string, to: string): Promise<void>;
  /** Creates the directory and its parents when missing. */
  ensureDir(dir: string): Promise<void>;
  close(): Promise<void>;
}

/** An SFTP server bound per environment: host, key authentication, known host key. */
export interface SftpConnection {
  /** Opens a session; fails with a FlowError naming the connection (never a secret). */
  open(signal?: AbortSignal): Promise<SftpSession>;
}

/** Named connections, bound per environment by the runtime. */
export interface ConnectionResolver {
  sql(name: string): SqlClient;
  http(name: string): HttpConnection;
  /** A message broker connection (AMQP or NATS); absent where nothing can be published (the designer). */
  broker?(name: string, protocol: BrokerProtocol): BrokerConnection;
  /** SFTP connections; absent where the process has none (the designer). */
  sftp?(name: string): SftpConnection;
}

/** A document handed to a source: an uploaded file, a webhook body, a CLI `--input`. */
export interface InputDocument {
  name: string;
  /** The bytes, streamed: a 1 GB file is never held in memory at once. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** Where file targets write; the runtime maps names to a folder, the designer to memory. */
export interface FileSink {
  /** Appends text, or lines in order (cheaper to encode than one long string). */
  append(path: string, text: string | readonly string[]): Promise<void>;
  /** Writes a whole file, replacing one of that name at once (a temp file renamed); absent: `append`. */
  write?(path: string, text: string): Promise<void>;
}

/** Reference (master) data sets, loaded before the run: set name → key → row. */
export interface ReferenceData {
  /** Key → first row of the set (a composite key as its JSON list of texts). */
  get(set: string): ReadonlyMap<string, unknown> | undefined;
  names(): string[];
  /** Rows of `set` with this key (a list of values for a composite key), valid at `at` for a dated set; undefined when no such set. */
  lookup(set: string, key: unknown, at?: unknown): unknown[] | undefined;
  /** The set as loaded (key fields, effective-date fields, one-to-many, rows). */
  definition(set: string): ReferenceDataSet | undefined;
}

/** Given once when a node instance is created for a run. */
export interface NodeSetupContext {
  nodeId: string;
  evaluator: ExpressionEvaluator;
  reference: ReferenceData;
  /** Functions every expression may call (money, reference look-ups). */
  functions: Bindings;
  /** The environment the run's connections are bound in (null or absent: a local run); scopes keyed state. */
  environment?: string | null;
}

export interface SourceContext {
  /** The document to read, when the trigger brought one. */
  input?: InputDocument;
  connections: ConnectionResolver;
  /** Last committed watermark of this source (polling/watermark sources). */
  watermark?: string;
  /** Proposes a new watermark; the runtime commits it only when the run succeeds. */
  proposeWatermark(value: string): void;
  signal: AbortSignal;
  /** For sources that call APIs: the runtime's fetch (bound by its outbound policy). */
  fetch?: typeof fetch;
  /** Waits `ms` (retry back-off, `Retry-After`); default a timer. Tests pass one that records the waits. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /**
   * Only checking the input before a run (every record readable, within the
   * limits): a source may yield stand-ins instead of the records, as long as
   * anything unreadable still fails the read.
   */
  check?: boolean;
}

export interface TargetContext {
  connections: ConnectionResolver;
  files: FileSink;
  /** Used by the HTTP target; the runtime passes the global fetch, tests a stub. */
  fetch: typeof fetch;
  signal: AbortSignal;
}

/** One change to a key of a keyed state, applied at most once: `applyKey` names it (the record's idempotency key). */
export interface StateChange {
  key: string;
  applyKey: string;
  /** The value the key starts from when it has none yet (e.g. the invoice's amount); absent: `undefined`. */
  initial?: unknown;
}

/**
 * What a change did: the value before and after; `earlier` when it had been applied before (a
 * retry or replay) and this is the recorded result; `error` when `compute` threw (nothing applied).
 */
export interface StateApplication {
  before: unknown;
  after: unknown;
  earlier: boolean;
  error?: unknown;
}

/**
 * Keyed state: values kept per key across records, chunks, runs and workers (the runtime's
 * store). `apply` changes keys in one transaction with each key's row locked while `compute`
 * runs, so concurrent changes of one key are serialised and none is lost; a change whose apply
 * key was applied before is not applied again (its recorded result is returned).
 */
export interface KeyedStateStore {
  read(scope: string, keys: string[]): Promise<Map<string, unknown>>;
  /**
   * Applies `changes` in order (a key changed twice sees its first change); `compute` gets the
   * change's index and the key's current value (its `initial` when it has none yet) and returns the new value;
   * when it throws, that change is not applied (nor recorded) and its result carries the error.
   */
  apply(scope: string, changes: StateChange[], compute: (index: number, current: unknown) => unknown, by: { runId: string; nodeId: string }): Promise<StateApplication[]>;
}

/**
 * One batched fetch of a lookup, as plain data (it can cross a thread): the connection, the
 * node's query or HTTP path, and its limits. The keys travel beside it.
 */
export type LookupRequest =
  | { source: 'postgres'; connection: string; query: string; matchColumn: string; timeoutMs: number; nodeId: string }
  | { source: 'http'; connection: string; path: string; concurrency: number; timeoutMs: number; nodeId: string };

/**
 * Where lookups get their rows: key → rows for the keys asked (a key with no rows is absent).
 * Absent from the context: a lookup queries `connections` itself. A designer test run passes one
 * that asks the main thread, which queries the dev environment's connection (runtime/preview).
 */
export interface LookupSource {
  rows(request: LookupRequest, keys: string[], ctx: ProcessContext): Promise<Map<string, unknown[]>>;
}

/** Handed to a node that processes a chunk's records together (`processBatch`). */
export interface ProcessContext {
  connections: ConnectionResolver;
  /** Lookups' rows come from here when given (see LookupSource). */
  lookups?: LookupSource;
  state: KeyedStateStore;
  fetch: typeof fetch;
  signal: AbortSignal;
  runId: string;
}

// ---------------------------------------------------------------------------
// Behaviour by category

/** A record as it leaves a node: the port it goes out of and its data. */
export interface Emission {
  port: string;
  data: unknown;
  /** For the `invalid` port of a validate node: every rule that failed. */
  failures?: RuleFailure[];
  /**
   * Set by a node that splits a record into items (a fan-out) and declares what
   * identifies each: its key (e.g. an entry reference) and its own amount.
   * Values are as the expressions gave them; the engine normalises them.
   */
  item?: EmittedItem;
}

/** What a fan-out node declares of one item: `undefined` when its expression gave nothing. */
export interface EmittedItem {
  key?: unknown;
  amount?: unknown;
  currency?: unknown;
  /** Which declarations the node has (so "gave nothing" is told from "not declared"). */
  declares: { key: boolean; amount: boolean; currency: boolean };
}

export interface SourceBehaviour {
  /**
   * Yields record data in order. Throws a FlowError naming file and line on unreadable input,
   * or yields an `UnreadableInput` for a piece it could not read but could read past.
   */
  read(ctx: SourceContext): AsyncIterable<unknown>;
}

/**
 * A piece of a source's input that could not be read (a page of an API that is not JSON): a
 * source yields it instead of records, the run dead-letters it at the source as it does a poison
 * message (`data` is what was received, `error` says why), and the rest of the input goes on.
 */
export class UnreadableInput {
  constructor(
    readonly data: unknown,
    readonly error: FlowError,
    /** Its source key; absent: the digest of `data`. */
    readonly sourceKey?: string,
  ) {}
}

/** transform, route and validate nodes: one record in, zero or more out. */
export interface ProcessBehaviour {
  /** One record in, its emissions out (a grouping node: the group this one record alone would make, for previews). */
  process(data: unknown, bindings: Bindings): Emission[] | Promise<Emission[]>;
  /**
   * Nodes that reach the outside world (a lookup, keyed state) process all records of a chunk
   * that reach them in one call, in order: one query for many records. One answer per record:
   * its emissions, or the error that failed it. Throwing fails every record with that error.
   */
  processBatch?(records: { data: unknown; bindings: Bindings }[], ctx: ProcessContext): Promise<(Emission[] | FlowError)[]>;
  /** A node that groups records over the whole run (aggregate): the engine folds records in and emits the groups at run end. */
  grouping?: GroupingBehaviour;
}

/**
 * How a grouping node folds records into groups. The engine keeps the tables
 * (per chunk, merged per run, stored between workers) with the functions of
 * transform/aggregate-groups.ts and emits `record(group)` on port `out`.
 */
export interface GroupingBehaviour {
  /**
   * Folds one record, arrived by input port `inPort`, into `table`; returns its group's key text.
   * Throws a validation FlowError naming the node and the expression when the group key gives
   * nothing, or a measure to sum is not an amount. It touches `table` only after its last await:
   * a run in one process folds concurrent chunks into one table and may spill (empty) it meanwhile.
   */
  add(table: GroupTable, data: unknown, bindings: Bindings, lineageKey: string, inPort: string): Promise<string>;
  /** The record a finished group emits. */
  record(group: Group): unknown;
  /** The groups a merged group is emitted as (a size window cuts it into windows of N records); absent: itself. */
  windows?(group: Group): Group[];
  /** A stored group read back. */
  load(stored: StoredGroup): Group;
  /** Groups a run keeps in memory; beyond them, groups are spilled to the store. */
  maxGroupsInMemory: number;
  /**
   * A node that decides what its groups become (match): each chunk of group records goes through
   * this, with keyed state, and its emissions leave by the node's ports. Absent: a group record
   * leaves by `out` as it is (aggregate).
   */
  resolve?(records: GroupToResolve[], ctx: ProcessContext): Promise<(Emission[] | FlowError)[]>;
}

/** A group record as a resolving node (match) gets it. */
export interface GroupToResolve {
  data: unknown;
  bindings: Bindings;
  /**
   * Set when the group record is a replay of its dead letters (not a run's own group): the item
   * keys replayed, or absent `items` for all of them. The run that failed applied the group.
   */
  replay?: { items?: string[] };
}

export interface TargetItem {
  /** The idempotency key the engine computed for this record. */
  key: string;
  data: unknown;
}

/**
 * Found already written by the target's own delivery record (e.g. the
 * delivery markers of a Postgres target), so not written again:
 * `same-claim` by an earlier attempt of this very chunk (a retry after a
 * crash: delivered), `other-claim` by another run or chunk (a duplicate).
 */
export type EarlierDelivery = 'same-claim' | 'other-claim';

export type TargetOutcome =
  | {
      ok: true; ref?: string; status?: number; earlier?: EarlierDelivery;
      /**
       * What the target answered for the record (HTTP status and body, the row's returned
       * columns, the file name, the message id): the `response` of the record it passes on by
       * its `out` port (see `TargetOutRecord`). Plain JSON: the ledger keeps it with the delivery.
       */
      answer?: unknown;
    }
  | { ok: false; error: FlowError };

/**
 * Every target's output port: each record it wrote (or found already written), with its answer,
 * so a flow can write e.g. the ERP's document number back to the system the record came from.
 */
export const TARGET_OUT_PORT: PortDeclaration = { id: 'out', title: 'Written (record + answer)' };

/** The record a target passes on by its `out` port: the record as it was written, and the target's answer. */
export interface TargetOutRecord {
  record: unknown;
  response: unknown;
}

/**
 * What a target writes into, independent of the node and the flow: the
 * connection it is bound to and the object within it (a table, an endpoint's
 * method and path template, a file). Its idempotency scope is made from this
 * (see nodes/target/delivery-scope.ts), so renaming, moving or copying the
 * node, or splitting the flow, never writes a record twice.
 */
export interface DeliveryTarget {
  /** The connection name the flow binds per environment (`files` for the output folder). */
  connection: string;
  /** The object within it, e.g. `table:erp.po_commitment`, `POST:/invoices/{{id}}`, `file:out/x.jsonl`. */
  object: string;
}

/** Who is writing, for targets that record their deliveries next to the data. */
export interface DeliveryClaim {
  /** Idempotency scope of the target: environment, connection and object (see `idempotencyScope`). */
  scope: string;
  /**
   * The scope markers had before migration 0008 (`<flow id>/<node id>`): markers still under it are
   * moved to `scope` once per connection pool, so a chunk retried across the upgrade finds them.
   */
  legacyScope?: string;
  runId: string;
  /** The chunk's claim token: the same on every attempt of the chunk. */
  claimToken: string;
}

export interface TargetBehaviour {
  /** Largest batch the target accepts per `write` call. */
  batchSize: number;
  /**
   * Writes a batch; returns one outcome per item, in order. Throwing fails the
   * whole batch with that error (e.g. a transient connection error).
   */
  write(items: TargetItem[], ctx: TargetContext, claim?: DeliveryClaim): Promise<TargetOutcome[]>;
  /**
   * True when `write` records each delivery atomically with the data (in the
   * same transaction) and recognises its own earlier deliveries: the engine
   * may then confirm the ledger once per chunk instead of after each batch.
   */
  recordsDeliveries?: boolean;
  /** Records this run delivered, as the target's own delivery record counts them (for reconciliation). */
  countDelivered?(claim: { scope: string; runId: string }, ctx: TargetContext): Promise<number>;
}

export interface BehaviourByCategory {
  source: SourceBehaviour;
  transform: ProcessBehaviour;
  route: ProcessBehaviour;
  validate: ProcessBehaviour;
  target: TargetBehaviour;
}

export interface NodeDeclaration<C, K extends NodeCategory> {
  /** Stable type id, e.g. `transform.jsonata`. */
  type: string;
  /** Bumped when the config shape changes; `upgrade` moves older configs forward. */
  version: number;
  title: string;
  description: string;
  category: K;
  /** Input ports; sources have none. May depend on the config (a sub-flow's declared inputs). */
  inputs: PortDeclaration[] | ((config: C) => PortDeclaration[]);
  /** Output ports; may depend on the config (e.g. route outputs). */
  outputs: PortDeclaration[] | ((config: C) => PortDeclaration[]);
  /** JSON Schema of the config; the inspector renders it, the runtime validates with it. */
  configSchema: JsonSchema;
  defaults: C;
  /** Config fields that hold JSONata expressions (JSON pointers), for editors and checks. */
  expressionFields?: string[];
  /** Static checks beyond the schema (expression syntax, cross-field rules). */
  check?(config: C, evaluator: ExpressionEvaluator): ConfigProblem[];
  /** Moves a config written for an older `version` forward. */
  upgrade?(config: unknown, fromVersion: number): C;
  /** One-line summary of the config shown on the canvas node. */
  summary?(config: C): string;
  /** Targets: what the node writes into; its idempotency scope is made from it (required for targets). */
  deliveryTarget?(config: C): DeliveryTarget;
  /** Targets: the JSONata giving each record's idempotency key (the engine evaluates it and keeps the ledger). */
  idempotencyKey?(config: C): string;
  /** Builds the per-run behaviour; compiles expressions once here. */
  create(config: C, ctx: NodeSetupContext): BehaviourByCategory[K];
}

export type AnyNodeDeclaration = NodeDeclaration<any, NodeCategory>;

/** A node type whose config is one TypeBox schema (see the top of this file); the rest is derived. */
export interface NodeDefinition<S extends TObject, K extends NodeCategory>
  extends Omit<NodeDeclaration<Static<S>, K>, 'configSchema' | 'defaults' | 'expressionFields'> {
  /** The config: its type, JSON Schema, defaults and expression fields all come from here. */
  config: S;
  /** Checks a schema cannot express (cross-field rules …); expression syntax is checked without it. */
  check?(config: Static<S>, evaluator: ExpressionEvaluator): ConfigProblem[];
}

/** Declares a node type from its config schema (see the top of this file). */
export function defineNode<S extends TObject, K extends NodeCategory>(definition: NodeDefinition<S, K>): NodeDeclaration<Static<S>, K>;
export function defineNode(declaration: NodeDefinition<TObject, NodeCategory>): AnyNodeDeclaration {
  const { config, check, ...rest } = declaration;
  const expressionFields = expressionPointers(config);
  return withDeclaredAccessors({
    ...rest,
    configSchema: plainSchema(config),
    defaults: schemaDefaults(config),
    expressionFields,
    check: (value: Static<TObject>, evaluator: ExpressionEvaluator) => [...(check?.(value, evaluator) ?? []), ...checkExpressionFields(expressionFields, value, evaluator)],
  });
}

/** Fills what a declaration may leave to its schema: a target's idempotency key is its `idempotencyKey` property unless it says otherwise. */
function withDeclaredAccessors(decl: AnyNodeDeclaration): AnyNodeDeclaration {
  const filled = { ...decl };
  const properties = (decl.configSchema.properties ?? {}) as Record<string, unknown>;
  if (decl.category === 'target' && !decl.idempotencyKey && 'idempotencyKey' in properties) {
    filled.idempotencyKey = (config: { idempotencyKey?: unknown }) => (typeof config.idempotencyKey === 'string' ? config.idempotencyKey : '');
  }
  return filled;
}

/** The output ports of a node for a given config. */
export function outputPorts(decl: AnyNodeDeclaration, config: unknown): PortDeclaration[] {
  return typeof decl.outputs === 'function' ? decl.outputs(config) : decl.outputs;
}

/** The input ports of a node for a given config. */
export function inputPorts(decl: AnyNodeDeclaration, config: unknown): PortDeclaration[] {
  return typeof decl.inputs === 'function' ? decl.inputs(config) : decl.inputs;
}

/** The port a source's records leave by (its one output). */
export function sourceOutputPort(decl: AnyNodeDeclaration, config: unknown): string {
  const [port] = outputPorts(decl, config);
  if (!port) throw new Error(`Source node type ${decl.type} declares no output port`);
  return port.id;
}

/** The ports whose records failed a check (validate: `invalid`). */
export function quarantinePorts(decl: AnyNodeDeclaration, config: unknown): Set<string> {
  return new Set(outputPorts(decl, config).filter((p) => p.quarantine).map((p) => p.id));
}

/** A target's idempotency key expression; `undefined` for other nodes (and a target that declares none). */
export function targetIdempotencyKey(decl: AnyNodeDeclaration, config: unknown): string | undefined {
  return decl.category === 'target' ? decl.idempotencyKey?.(config) : undefined;
}
