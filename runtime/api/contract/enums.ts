/**
 * The API's enumerations, each listed once. Plain constants (no zod): the
 * designer imports this module at run time; the contract's schemas build their
 * enums from it. Lists owned by a lower layer are re-exported from there.
 */
export { ERROR_CLASSES, type ErrorClass } from '../../../nodes/errors.ts';
export { ROLES, type Role } from '../../auth/roles.ts';
export { NOT_EVALUATED_PORT, RECORD_OUTCOMES, RUN_STATUSES, type RecordOutcome, type RunStatus } from '../../engine/run-types.ts';
export {
  CONNECTION_KINDS, DEAD_LETTER_STATUSES, PROMOTION_STATUSES, type ConnectionKind, type DeadLetterStatus, type PromotionStatus,
} from '../../store/store.ts';

/** Which version a replay runs: the one that failed the records, or the one deployed now. */
export const REPLAY_AGAINST = ['failed-version', 'deployed'] as const;
export type ReplayAgainst = (typeof REPLAY_AGAINST)[number];

/** The reference data a replay evaluates with: as it was when the records failed, or the current one. */
export const REPLAY_REFERENCES = ['as-it-was', 'current'] as const;
export type ReplayReference = (typeof REPLAY_REFERENCES)[number];

/** Runs still going: not finished, so they may be cancelled and are followed live. */
export const ACTIVE_RUN_STATUSES = ['queued', 'running'] as const;
