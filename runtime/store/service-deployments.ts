/** Deployments (what each environment runs), their history, promotions and stored mapping-test results. */
import { randomBytes } from 'node:crypto';
import type { SqlClient } from '../../nodes/define-node.ts';
import { isoOf, isoOrNull, numberOf } from './row-values.ts';

type Row = Record<string, unknown>;

export interface DeploymentRow {
  flowId: string;
  environment: string;
  version: number;
  deployedBy: string;
  deployedAt: string;
}

export interface DeploymentHistoryRow extends DeploymentRow {
  id: number;
  kind: 'deploy' | 'promotion' | 'rollback';
  promotionId: string | null;
}

export type { PromotionStatus } from './store.ts';
import type { PromotionStatus } from './store.ts';

export interface PromotionRow {
  id: string;
  flowId: string;
  version: number;
  environment: string;
  status: PromotionStatus;
  requestedBy: string;
  requestedAt: string;
  authors: string[];
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

export interface TestResultsRow {
  flowId: string;
  version: number;
  passed: boolean;
  results: unknown[];
  ranAt: string;
}

const toDeployment = (r: Row): DeploymentRow => ({
  flowId: r.flow_id as string, environment: r.environment as string, version: numberOf(r.version),
  deployedBy: r.deployed_by as string, deployedAt: isoOf(r.deployed_at),
});

const toHistory = (r: Row): DeploymentHistoryRow => ({
  ...toDeployment(r), id: numberOf(r.id), kind: r.kind as DeploymentHistoryRow['kind'], promotionId: (r.promotion_id as string | null) ?? null,
});

const toPromotion = (r: Row): PromotionRow => ({
  id: r.id as string, flowId: r.flow_id as string, version: numberOf(r.version), environment: r.environment as string,
  status: r.status as PromotionStatus, requestedBy: r.requested_by as string, requestedAt: isoOf(r.requested_at),
  authors: (r.authors ?? []) as string[], decidedBy: (r.decided_by as string | null) ?? null, decidedAt: isoOrNull(r.decided_at),
  reason: (r.reason as string | null) ?? null,
});

export const newPromotionId = () => `prm_${randomBytes(9).toString('base64url')}`;

export function deploymentsRepo(sql: SqlClient) {
  const getDeployment = async (flowId: string, environment: string, tx: SqlClient = sql): Promise<DeploymentRow | null> => {
    const { rows } = await tx.query('select * from deployments where flow_id = $1 and environment = $2', [flowId, environment]);
    return rows.length ? toDeployment(rows[0]) : null;
  };

  return {
    async listDeployments(flowId?: string): Promise<DeploymentRow[]> {
      const { rows } = flowId
        ? await sql.query('select * from deployments where flow_id = $1 order by environment', [flowId])
        : await sql.query('select * from deployments order by flow_id, environment');
      return rows.map(toDeployment);
    },

    getDeployment,

    /** Sets what `environment` runs and records it in the history; returns the previous deployment. */
    async deploy(d: { flowId: string; environment: string; version: number; by: string; kind: DeploymentHistoryRow['kind']; promotionId?: string | null }, tx: SqlClient = sql): Promise<{ before: DeploymentRow | null; after: DeploymentRow }> {
      const before = await getDeployment(d.flowId, d.environment, tx);
      const { rows } = await tx.query(
        `insert into deployments (flow_id, environment, version, deployed_by) values ($1, $2, $3, $4)
         on conflict (flow_id, environment) do update set version = excluded.version, deployed_by = excluded.deployed_by, deployed_at = now()
         returning *`,
        [d.flowId, d.environment, d.version, d.by],
      );
      await tx.query(
        'insert into deployment_history (flow_id, environment, version, kind, promotion_id, deployed_by) values ($1, $2, $3, $4, $5, $6)',
        [d.flowId, d.environment, d.version, d.kind, d.promotionId ?? null, d.by],
      );
      return { before, after: toDeployment(rows[0]) };
    },

    /** Newest first. */
    async deploymentHistory(flowId: string, environment?: string): Promise<DeploymentHistoryRow[]> {
      const { rows } = environment
        ? await sql.query('select * from deployment_history where flow_id = $1 and environment = $2 order by id desc', [flowId, environment])
        : await sql.query('select * from deployment_history where flow_id = $1 order by id desc', [flowId]);
      return rows.map(toHistory);
    },

    /** Whether `version` had a finished run in `environment` (succeeded, or completed with exceptions: every record accounted for). */
    async versionRanIn(flowId: string, version: number, environment: string): Promise<boolean> {
      const { rows } = await sql.query(
        `select 1 from runs where flow_id = $1 and version = $2 and environment = $3 and status in ('succeeded', 'completed_with_exceptions') limit 1`,
        [flowId, version, environment],
      );
      return rows.length > 0;
    },

    async deleteFlowDeploymentState(flowId: string, tx: SqlClient): Promise<void> {
      await tx.query('delete from deployments where flow_id = $1', [flowId]);
    },

    // promotions -----------------------------------------------------------

    async createPromotion(p: { flowId: string; version: number; environment: string; requestedBy: string; authors: string[] }, tx: SqlClient = sql): Promise<PromotionRow> {
      const { rows } = await tx.query(
        `insert into promotions (id, flow_id, version, environment, status, requested_by, authors) values ($1, $2, $3, $4, 'pending', $5, $6::jsonb) returning *`,
        [newPromotionId(), p.flowId, p.version, p.environment, p.requestedBy, JSON.stringify(p.authors)],
      );
      return toPromotion(rows[0]);
    },

    async getPromotion(id: string, tx: SqlClient = sql): Promise<PromotionRow | null> {
      const { rows } = await tx.query('select * from promotions where id = $1', [id]);
      return rows.length ? toPromotion(rows[0]) : null;
    },

    async listPromotions(filter: { status?: PromotionStatus; flowId?: string }): Promise<PromotionRow[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.status) { params.push(filter.status); where.push(`status = $${params.length}`); }
      if (filter.flowId) { params.push(filter.flowId); where.push(`flow_id = $${params.length}`); }
      const { rows } = await sql.query(`select * from promotions ${where.length ? `where ${where.join(' and ')}` : ''} order by requested_at desc limit 500`, params);
      return rows.map(toPromotion);
    },

    /** Decides a pending promotion; null when it was no longer pending (someone else decided first). */
    async decidePromotion(id: string, d: { status: 'approved' | 'rejected'; by: string; reason: string | null }, tx: SqlClient = sql): Promise<PromotionRow | null> {
      const { rows } = await tx.query(
        `update promotions set status = $2, decided_by = $3, decided_at = now(), reason = $4 where id = $1 and status = 'pending' returning *`,
        [id, d.status, d.by, d.reason],
      );
      return rows.length ? toPromotion(rows[0]) : null;
    },

    // mapping-test results -------------------------------------------------

    async putTestResults(flowId: string, version: number, passed: boolean, results: unknown[]): Promise<void> {
      await sql.query(
        `insert into version_test_results (flow_id, version, passed, results) values ($1, $2, $3, $4::jsonb)
         on conflict (flow_id, version) do update set passed = excluded.passed, results = excluded.results, ran_at = now()`,
        [flowId, version, passed, JSON.stringify(results)],
      );
    },

    async testResultsOf(flowId: string): Promise<Map<number, TestResultsRow>> {
      const { rows } = await sql.query('select * from version_test_results where flow_id = $1', [flowId]);
      return new Map(rows.map((r) => [numberOf(r.version), {
        flowId: r.flow_id as string, version: numberOf(r.version), passed: Boolean(r.passed), results: r.results as unknown[], ranAt: isoOf(r.ran_at),
      }]));
    },
  };
}

export type DeploymentsRepo = ReturnType<typeof deploymentsRepo>;
