/** The alert rules' conditions and channels, and an incident's delivery status: each list once (the API and designer re-export them). */
export const ALERT_CONDITIONS = ['run-failed', 'exceptions-above', 'dead-letters-aged', 'reconciliation-open', 'source-silent'] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];
export const ALERT_CHANNELS = ['webhook', 'slack', 'email'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];
export const ALERT_STATUSES = ['pending', 'sent', 'failed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
