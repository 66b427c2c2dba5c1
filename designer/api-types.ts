/**
 * Shapes of the HTTP API (see the API contract), shared by the client and the
 * screens. Server-side types are imported as types only: nothing of the
 * runtime is bundled.
 */
import type { ConnectionKind, FlowDocument } from '../nodes/flow-document.ts';
import type { FlowProblem } from '../nodes/validate-flow.ts';
import type { RuleFailure } from '../nodes/errors.ts';
import type { NodeStats, OutcomeCounts, Reconciliation, RecordTrace, RunStatus } from '../runtime/engine/run-types.ts';
import type { SerializedError } from '../nodes/errors.ts';
import type { ValueDifference } from '../nodes/value-diff.ts';
import type { SampleWarning } from '../runtime/sample-check.ts';

export type Role = 'analyst' | 'admin' | 'operator';

export interface User {
  id: string;
  username: string;
  role: Role;
  displayName?: string | null;
}

/** Environment name → deployed version (null: nothing deployed). */
export type Deployments = Record<string, number | null>;

export interface FlowSummary {
  id: string;
  name: string;
  description: string | null;
  updatedAt: string;
  updatedBy: string | null;
  latestVersion: number | null;
  deployments: Deployments;
}

export interface FlowDetail extends FlowSummary {
  draft: FlowDocument;
  /** The draft's revision on the server, sent back with each save. */
  revision: number;
  problems: FlowProblem[];
}

export interface VersionInfo {
  version: number;
  author: string;
  message: string;
  createdAt: string;
  hash: string;
  testsPassed: boolean | null;
}

export interface VersionRow {
  flowId: string;
  version: number;
  document: FlowDocument;
  hash: string;
  author: string;
  message: string;
  createdAt: string;
}

export interface Environment {
  name: string;
  position: number;
  requiresApproval: boolean;
}

export interface Deployment {
  environment: string;
  version: number;
  deployedBy: string;
  deployedAt: string;
}

export interface Promotion {
  id: string;
  flowId: string;
  version: number;
  environment: string;
  status: 'pending' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: string;
  authors: string[];
  canApprove?: boolean;
  cannotApproveReason?: string;
}

export interface ConnectionInfo {
  environment: string;
  name: string;
  kind: ConnectionKind;
  settings: Record<string, unknown>;
  secretNames: string[];
}

/** A sample document sent to the server: text, base64 for binary files, or only the name of one stored with the flow. */
export type SampleContent = { name: string; content: string } | { name: string; contentBase64: string } | { name: string };

export interface NodeOutput {
  port: string;
  data: unknown;
  failures?: RuleFailure[];
}

export interface TestRunResult {
  status: RunStatus;
  counts: OutcomeCounts;
  reconciliation: Reconciliation | null;
  nodes: NodeStats[];
  outputs: Record<string, NodeOutput[]>;
  records: RecordTrace[];
  error?: SerializedError;
  /** Target field paths that matched nothing in the records reaching their target. */
  sampleWarnings?: SampleWarning[];
}

export interface TestRunRequest {
  document?: FlowDocument;
  sample?: SampleContent;
  records?: unknown[];
  sourceNodeId?: string;
  captureOutputs?: number;
}

export interface MappingTestResult {
  name: string;
  node: string | null;
  passed: boolean;
  expected: unknown;
  actual: unknown;
  differences: ValueDifference[];
  error?: string;
}

export type { FlowDocument, FlowProblem, NodeStats, RecordTrace, RuleFailure, ValueDifference };
