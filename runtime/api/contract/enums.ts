/**
 * The API's enumerations, each listed once. Plain constants (no zod): the
 * designer imports this module at run time; the contract's schemas build their
 * enums from it. Lists owned by a lower layer are re-exported from there.
 */
export { ERROR_CLASSES, type ErrorClass } from '../../../nodes/errors.ts';
export { ROLES, type Role } from '../../auth/roles.ts';
export { ACTIVE_RUN_STATUSES, NOT_EVALUATED_PORT, RECORD_OUTCOMES, RUN_STATUSES, isTerminal, type RecordOutcome, type RunStatus } from '../../engine/run-types.ts';
export {
  CONNECTION_KINDS, DEAD_LETTER_STATUSES, PROMOTION_STATUSES, type ConnectionKind, type DeadLetterStatus, type PromotionStatus,
} from '../../store/store.ts';
export { ALERT_CHANNELS, ALERT_CONDITIONS, ALERT_STATUSES, type AlertChannel, type AlertCondition, type AlertStatus } from '../../store/alert-kinds.ts';
export { REPLAY_AGAINST, REPLAY_REFERENCES, type ReplayAgainst, type ReplayReference } from '../../replay.ts';
