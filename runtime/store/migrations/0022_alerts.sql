-- Alerts (issue 19 point 6): notification rules per flow and environment, and the incidents they
-- raised. One row per incident: the unique (rule_id, incident_key) is the claim, so two workers
-- (or a restart) that see the same failed run raise and send it once. A run's incident is keyed
-- `run:<id>`; a lasting condition (aged dead letters, a silent source) is keyed `open` while it
-- holds and renamed `resolved:<id>` once it no longer does, so the next occurrence is new.
create table alert_rules (
  id          text primary key,
  name        text not null,
  flow_id     text not null,
  environment text not null,
  condition   text not null check (condition in ('run-failed', 'exceptions-above', 'dead-letters-aged', 'reconciliation-open', 'source-silent')),
  -- exceptions-above: the count of exceptions a run may have; dead-letters-aged, source-silent: hours.
  threshold   integer not null default 0 check (threshold >= 0),
  channel     text not null check (channel in ('webhook', 'slack', 'email')),
  -- webhook, slack: the URL; email: the recipients, comma-separated.
  target      text not null,
  -- email: the smtp connection of the environment that sends it.
  connection  text,
  -- webhook: the signing secret, encrypted (never shown back).
  secret      text,
  enabled     boolean not null default true,
  created_at  timestamptz(3) not null default now(),
  created_by  text not null,
  updated_at  timestamptz(3) not null default now(),
  updated_by  text not null
);
create index alert_rules_flow_idx on alert_rules (flow_id, environment);

create table alert_incidents (
  id              bigserial primary key,
  rule_id         text not null references alert_rules (id) on delete cascade,
  incident_key    text not null,
  flow_id         text not null,
  environment     text not null,
  run_id          text,
  summary         text not null,
  link            text not null,
  details         jsonb not null default '{}',
  opened_at       timestamptz(3) not null default clock_timestamp(),
  resolved_at     timestamptz(3),
  -- Delivery on the rule's channel: pending until sent, or failed after the last attempt.
  status          text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts        jsonb not null default '[]',
  next_attempt_at timestamptz(3) not null default now(),
  claimed_until   timestamptz(3),
  sent_at         timestamptz(3),
  unique (rule_id, incident_key)
);
create index alert_incidents_pending_idx on alert_incidents (next_attempt_at) where status = 'pending';
create index alert_incidents_opened_idx on alert_incidents (opened_at desc, id desc);

-- SMTP servers are named connections too: alert e-mails go through one bound per environment.
alter table connections drop constraint if exists connections_kind_check;
alter table connections add constraint connections_kind_check check (kind in ('postgres', 'mysql', 'http', 'amqp', 'nats', 'sftp', 'smtp'));
