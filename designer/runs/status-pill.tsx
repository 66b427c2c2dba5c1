import { OUTCOME_LABEL, STATUS_LABEL } from './ops-format.ts';
import type { RecordOutcome, RunStatus } from '../../runtime/api/contract/enums.ts';

export function RunStatusPill({ status }: { status: RunStatus }) {
  return <span className={`status-pill status-${status}`}>{status === 'running' && <span className="live-dot" />}{STATUS_LABEL[status] ?? status}</span>;
}

export function OutcomePill({ outcome }: { outcome: RecordOutcome }) {
  return <span className={`outcome-pill outcome-${outcome}`}>{OUTCOME_LABEL[outcome] ?? outcome}</span>;
}
