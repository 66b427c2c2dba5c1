/**
 * When a rule raises an incident, as pure functions: a run that ended (failed,
 * too many exceptions, a reconciliation that does not close) or a lasting
 * condition (open dead letters older than N hours, a source silent for N
 * hours). Each answer carries the incident's key, its summary and its link.
 */
import type { AlertRuleRow, NewIncident } from '../store/alerts-repo.ts';
import type { RunRow } from '../store/store.ts';

const CONDITION_TITLES: Record<AlertRuleRow['condition'], string> = {
  'run-failed': 'run failed',
  'exceptions-above': 'run completed with exceptions above the threshold',
  'dead-letters-aged': 'dead letters older than the threshold',
  'reconciliation-open': 'reconciliation does not close',
  'source-silent': 'source silent',
};

export const conditionTitle = (c: AlertRuleRow['condition']) => CONDITION_TITLES[c];

/** The page of a run in the console (hash route of the designer). */
export const runLink = (publicUrl: string, runId: string) => `${publicUrl.replace(/\/+$/, '')}/#/runs/${encodeURIComponent(runId)}`;
const runsLink = (publicUrl: string, flowId: string) => `${publicUrl.replace(/\/+$/, '')}/#/runs?flow=${encodeURIComponent(flowId)}`;

const exceptionsOf = (run: RunRow) => run.counts.quarantined + run.counts.deadLettered;

const base = (rule: AlertRuleRow) => ({ ruleId: rule.id, flowId: rule.flowId, environment: rule.environment });

/** The incident a rule raises for a run that ended, or null. */
export function runIncident(rule: AlertRuleRow, run: RunRow, publicUrl: string): NewIncident | null {
  if (run.flowId !== rule.flowId || run.environment !== rule.environment || !run.finishedAt) return null;
  const where = `Flow ${rule.flowId} in ${rule.environment}: run ${run.id}`;
  const details = { status: run.status, counts: run.counts, version: run.version, trigger: run.trigger, finishedAt: run.finishedAt };
  let summary: string | null = null;
  if (rule.condition === 'run-failed' && run.status === 'failed') {
    summary = `${where} failed${run.error?.message ? `: ${run.error.message}` : ''}.`;
  } else if (rule.condition === 'exceptions-above' && run.status !== 'cancelled' && exceptionsOf(run) > rule.threshold) {
    summary = `${where} ended with ${exceptionsOf(run)} exception(s) (${run.counts.quarantined} quarantined, ${run.counts.deadLettered} dead-lettered), above the threshold of ${rule.threshold}.`;
  } else if (rule.condition === 'reconciliation-open' && run.reconciliation && !run.reconciliation.closes) {
    summary = `${where} does not reconcile: ${run.reconciliation.differences.join('; ') || 'read ≠ delivered + exceptions + duplicates + filtered'}.`;
  }
  if (!summary) return null;
  return { ...base(rule), incidentKey: `run:${run.id}`, runId: run.id, summary, link: runLink(publicUrl, run.id), details: { ...details, ...(run.reconciliation && rule.condition === 'reconciliation-open' ? { differences: run.reconciliation.differences } : {}) } };
}

/** What the lasting conditions look at, read from the store for one rule. */
export interface LastingFacts {
  /** dead-letters-aged: open dead letters created before now − threshold hours. */
  aged?: { count: number; oldestAt: string | null; oldestRunId: string | null };
  /** source-silent: the newest run of the flow and environment (replays aside). */
  lastRun?: { id: string; createdAt: string } | null;
}

/** The open incident a lasting condition raises now, or null when it does not hold. */
export function lastingIncident(rule: AlertRuleRow, facts: LastingFacts, now: Date, publicUrl: string): NewIncident | null {
  const hours = rule.threshold;
  if (rule.condition === 'dead-letters-aged' && facts.aged && facts.aged.count > 0 && facts.aged.oldestRunId) {
    return {
      ...base(rule), incidentKey: 'open', runId: facts.aged.oldestRunId, link: runLink(publicUrl, facts.aged.oldestRunId),
      summary: `Flow ${rule.flowId} in ${rule.environment}: ${facts.aged.count} open dead letter(s) older than ${hours} h (the oldest from ${facts.aged.oldestAt}, run ${facts.aged.oldestRunId}).`,
      details: { count: facts.aged.count, oldestAt: facts.aged.oldestAt, hours },
    };
  }
  if (rule.condition === 'source-silent' && facts.lastRun !== undefined) {
    // Silent since the last run, or since the rule was made when the flow has never run there.
    const since = facts.lastRun?.createdAt ?? rule.createdAt;
    if (now.getTime() - Date.parse(since) < hours * 3_600_000) return null;
    return {
      ...base(rule), incidentKey: 'open', runId: facts.lastRun?.id ?? null,
      link: facts.lastRun ? runLink(publicUrl, facts.lastRun.id) : runsLink(publicUrl, rule.flowId),
      summary: `Flow ${rule.flowId} in ${rule.environment}: no run for ${hours} h (${facts.lastRun ? `the last, ${facts.lastRun.id}, started ${since}` : `none since the rule was made, ${since}`}).`,
      details: { since, hours },
    };
  }
  return null;
}
