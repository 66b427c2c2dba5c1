/** The shapes of the alert routes (issue 19 point 6): rules per flow and environment, and the alerts they raised. */
import { z } from 'zod';
import { ALERT_CHANNELS, ALERT_CONDITIONS, ALERT_STATUSES } from './enums.ts';
import { JsonValue } from './schemas.ts';

export const AlertConditionSchema = z.enum(ALERT_CONDITIONS).meta({ id: 'AlertCondition' });
export const AlertChannelSchema = z.enum(ALERT_CHANNELS).meta({ id: 'AlertChannel' });
export const AlertStatusSchema = z.enum(ALERT_STATUSES).meta({ id: 'AlertStatus' });

export const AlertRuleInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  flowId: z.string().min(1).max(200),
  environment: z.string().min(1).max(100),
  condition: AlertConditionSchema,
  threshold: z.number().int().min(0).max(1_000_000).optional().meta({ description: 'exceptions-above: exceptions a run may have; dead-letters-aged and source-silent: hours (≥ 1)' }),
  channel: AlertChannelSchema,
  target: z.string().trim().min(1).max(2000).meta({ description: 'webhook, slack: the URL to post to; email: recipients, comma-separated' }),
  connection: z.string().min(1).max(200).nullable().optional().meta({ description: 'email: the smtp connection of the environment' }),
  secret: z.string().min(16).max(1024).optional().meta({ description: 'webhook: the signing secret (write-only; left out on a change: kept)' }),
  enabled: z.boolean().optional(),
});

export const AlertRuleSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  flowId: z.string(),
  environment: z.string(),
  condition: AlertConditionSchema,
  threshold: z.number().int(),
  channel: AlertChannelSchema,
  target: z.string(),
  connection: z.string().nullable(),
  hasSecret: z.boolean(),
  enabled: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
}).meta({ id: 'AlertRule' });

export const AlertAttemptSchema = z.strictObject({ at: z.string(), ok: z.boolean(), detail: z.string() });

export const AlertSchema = z.strictObject({
  id: z.number().int(),
  ruleId: z.string(),
  ruleName: z.string(),
  condition: AlertConditionSchema,
  channel: AlertChannelSchema,
  incidentKey: z.string(),
  flowId: z.string(),
  environment: z.string(),
  runId: z.string().nullable(),
  summary: z.string(),
  link: z.string().meta({ description: 'The run page in the console' }),
  details: z.record(z.string(), JsonValue),
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
  status: AlertStatusSchema,
  attempts: z.array(AlertAttemptSchema),
  nextAttemptAt: z.string(),
  sentAt: z.string().nullable(),
}).meta({ id: 'Alert' });

export type AlertRule = z.infer<typeof AlertRuleSchema>;
export type AlertRuleInput = z.input<typeof AlertRuleInputSchema>;
export type Alert = z.infer<typeof AlertSchema>;
