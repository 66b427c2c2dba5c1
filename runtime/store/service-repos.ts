/**
 * The server's repositories over the store's SQL client. They live beside the
 * core store (same database, migration 0002_service.sql) but outside the
 * `Store` interface, which the engine and workers use.
 */
import type { SqlClient } from '../../nodes/define-node.ts';
import { usersRepo } from './service-users.ts';
import { auditRepo } from './service-audit.ts';
import { connectionsRepo } from './service-connections.ts';
import { deploymentsRepo } from './service-deployments.ts';
import { triggersRepo } from './service-triggers.ts';
import { samplesRepo } from './service-samples.ts';
import { flowAdminRepo } from './service-flows.ts';
import { reconciliationRepo } from './service-reconciliation.ts';
import { recordedInputsRepo } from './service-recorded-inputs.ts';
import { referenceSetsRepo } from './reference-sets.ts';
import { alertsRepo } from './alerts-repo.ts';
import { subflowsRepo } from './subflows-repo.ts';

export function createServiceRepos(sql: SqlClient) {
  return {
    sql,
    users: usersRepo(sql),
    audit: auditRepo(sql),
    connections: connectionsRepo(sql),
    deployments: deploymentsRepo(sql),
    triggers: triggersRepo(sql),
    samples: samplesRepo(sql),
    flowAdmin: flowAdminRepo(sql),
    reconciliation: reconciliationRepo(sql),
    recordedInputs: recordedInputsRepo(sql),
    referenceSets: referenceSetsRepo(sql),
    alerts: alertsRepo(sql),
    subflows: subflowsRepo(sql),
    /** Runs `fn` in one transaction; pass `tx` to the repositories' writes so they commit together. */
    transaction: <T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> => sql.transaction(fn),
  };
}

export type ServiceRepos = ReturnType<typeof createServiceRepos>;
export type { UserRow, ApiTokenRow } from './service-users.ts';
export type { AuditEntry, AuditRow, AuditFilter, AuditEntity } from './service-audit.ts';
export type { ConnectionRow } from './service-connections.ts';
export type { DeploymentRow, DeploymentHistoryRow, PromotionRow, PromotionStatus, TestResultsRow } from './service-deployments.ts';
export type { ScheduleRow, PollerRow } from './service-triggers.ts';
export type { DailyRunCounts, DailyRunTotal, ReconciliationOutcome } from './service-reconciliation.ts';
