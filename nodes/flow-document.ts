/**
 * The flow document: what the designer saves, the runtime runs and `flows/`
 * holds as files. Node and edge fields use React Flow's names (`id`, `type`,
 * `position`, `source`, `sourceHandle`, `target`, `targetHandle`).
 * Its JSON Schema: nodes/flow-document.schema.json; published with each node
 * type's config schema as `flows/flow.schema.json` (`npm run gen:schema`).
 */


/** What a named connection can be bound to: a Postgres or MySQL/MariaDB database, an HTTP API, an AMQP broker, a NATS server, an SFTP server, an SMTP server (alert e-mails). */
export const CONNECTION_KINDS = ['postgres', 'mysql', 'http', 'amqp', 'nats', 'sftp', 'smtp'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/**
 * The kinds the SQL nodes (source.postgres, target.postgres) take: `mysql` is MySQL/MariaDB (a
 * mysql:// or mariadb:// url); `postgres` is Postgres, and, as before `mysql` existed, also a
 * mysql:// url (the dialect follows the url), so older documents keep working.
 */
export const SQL_CONNECTION_KINDS: readonly ConnectionKind[] = ['postgres', 'mysql'];

export interface FlowNode {
  id: string;
  /** Node type id from the catalog, e.g. `transform.jsonata`. */
  type: string;
  /** Version of the node type the config was written for. */
  typeVersion: number;
  position: { x: number; y: number };
  /** Optional display name; the type title is shown otherwise. */
  label?: string;
  config: Record<string, unknown>;
  /** Retry policy for transient errors (targets mostly). */
  retry?: RetryPolicy;
}

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  /** First back-off delay; doubles per attempt, with jitter. */
  backoffMs: number;
  maxBackoffMs?: number;
}

export interface FlowEdge {
  id: string;
  source: string;
  /** Output port of the source node; `out` when absent. */
  sourceHandle?: string;
  target: string;
  /** Input port of the target node; `in` when absent. */
  targetHandle?: string;
}

/** Control total declaration: which value is the amount, in which currency. */
export interface AmountDeclaration {
  /** JSONata on the source record giving the amount (a number or decimal string). */
  value: string;
  /** JSONata on the source record giving the ISO currency code, or a quoted literal. */
  currency: string;
}

/** Per-key delivery order of a flow's records. */
export interface OrderingDeclaration {
  /** JSONata on the source record giving the key whose records keep their source order. */
  key: string;
  /** Chunk sequences the keys are spread over by hash (default 16). */
  partitions?: number;
}

export interface ReferenceDataDeclaration {
  /** A file under the flow's folder (CSV, JSON or JSONL) holding the rows. */
  file?: string;
  /** Or: a stored reference data set of that name (loaded through the API/CLI). */
  stored?: string;
  /** Field of each row that is the look-up key, or several fields (a composite key). */
  key: string | string[];
  /** File sets: field of the first day a row is valid (effective dates). Stored sets carry their own. */
  validFrom?: string;
  /** File sets: field of the last day a row is valid (inclusive). */
  validTo?: string;
  /** Several rows may share a key (look them up with `$refAll`). */
  multiple?: boolean;
}

/** A mapping test: this input, through this node (or the whole flow), gives this output. */
export interface MappingTest {
  name: string;
  /** Node whose output is compared; absent means the records that reach targets. */
  node?: string;
  input: unknown;
  expected: unknown;
}

export interface FlowDocument {
  $schema?: string;
  id: string;
  name: string;
  description?: string;
  /** JSONata on the source record giving its stable identity; default a hash of its content. */
  recordKey?: string;
  /** JSONata on the source record giving the business key (invoice number, PO number …). */
  businessKey?: string;
  /** JSONata on the source record giving when the business event happened. */
  eventTime?: string;
  amount?: AmountDeclaration;
  /** Field names or dotted paths whose values are masked in stored traces. */
  sensitive?: string[];
  /** Named connections the flow uses; environments bind them to real settings. */
  connections?: Record<string, { kind: ConnectionKind; description?: string }>;
  referenceData?: Record<string, ReferenceDataDeclaration>;
  /** Evaluator for JSONata: `compiled` (default when available) or `reference`. */
  evaluator?: 'compiled' | 'reference';
  /**
   * Postgres targets on the same connection write each chunk in one transaction:
   * a source record is written to all of them or to none of them.
   */
  sharedTransaction?: boolean;
  /**
   * Records with the same key reach the targets in source order, also when a
   * run's chunks are worked in parallel (see runtime/queue/chunk-order.ts).
   */
  ordering?: OrderingDeclaration;
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Sample input documents stored with the flow (paths relative to the flow file). */
  samples?: string[];
  tests?: MappingTest[];
}

export const DEFAULT_OUT_PORT = 'out';
export const DEFAULT_IN_PORT = 'in';

export function edgeSourcePort(edge: FlowEdge): string {
  return edge.sourceHandle ?? DEFAULT_OUT_PORT;
}
