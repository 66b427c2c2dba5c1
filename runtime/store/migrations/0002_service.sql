-- The server's tables: users and their sessions and API tokens, connections
-- per environment (secrets encrypted by the application), deployments,
-- promotions, triggers, mapping-test results and the append-only audit log.

create table users (
  id            text primary key,
  username      text not null unique,
  display_name  text not null,
  role          text not null check (role in ('analyst', 'admin', 'operator')),
  password_hash text not null,
  disabled      boolean not null default false,
  created_at    timestamptz(3) not null default now(),
  updated_at    timestamptz(3) not null default now()
);

-- Only the sha-256 of a token is stored.
create table sessions (
  token_hash   text primary key,
  user_id      text not null references users (id) on delete cascade,
  created_at   timestamptz(3) not null default now(),
  expires_at   timestamptz(3) not null
);
create index sessions_user_idx on sessions (user_id);

create table api_tokens (
  id           text primary key,
  user_id      text not null references users (id) on delete cascade,
  name         text not null,
  token_hash   text not null unique,
  created_at   timestamptz(3) not null default now(),
  last_used_at timestamptz(3),
  revoked_at   timestamptz(3)
);
create index api_tokens_user_idx on api_tokens (user_id);

-- secrets: { name: "v1.<iv>.<tag>.<ciphertext>" }, AES-256-GCM, never returned.
create table connections (
  environment text not null,
  name        text not null,
  kind        text not null check (kind in ('postgres', 'http')),
  settings    jsonb not null,
  secrets     jsonb not null default '{}',
  updated_at  timestamptz(3) not null default now(),
  updated_by  text,
  primary key (environment, name)
);

-- The version each environment runs now.
create table deployments (
  flow_id     text not null references flows (id) on delete cascade,
  environment text not null,
  version     integer not null,
  deployed_by text not null,
  deployed_at timestamptz(3) not null default now(),
  primary key (flow_id, environment),
  foreign key (flow_id, version) references flow_versions (flow_id, version)
);

-- Every deployment ever made (deploy, promotion, rollback), for rollback and audit.
create table deployment_history (
  id            bigserial primary key,
  flow_id       text not null,
  environment   text not null,
  version       integer not null,
  kind          text not null check (kind in ('deploy', 'promotion', 'rollback')),
  promotion_id  text,
  deployed_by   text not null,
  deployed_at   timestamptz(3) not null default clock_timestamp()
);
create index deployment_history_flow_env_idx on deployment_history (flow_id, environment, id desc);

create table promotions (
  id            text primary key,
  flow_id       text not null references flows (id) on delete cascade,
  version       integer not null,
  environment   text not null,
  status        text not null check (status in ('pending', 'approved', 'rejected')),
  requested_by  text not null,
  requested_at  timestamptz(3) not null default clock_timestamp(),
  authors       jsonb not null default '[]',
  decided_by    text,
  decided_at    timestamptz(3),
  reason        text
);
create index promotions_status_idx on promotions (status, requested_at);

create table version_test_results (
  flow_id  text not null,
  version  integer not null,
  passed   boolean not null,
  results  jsonb not null,
  ran_at   timestamptz(3) not null default now(),
  primary key (flow_id, version)
);

create table webhook_secrets (
  flow_id     text not null references flows (id) on delete cascade,
  environment text not null,
  secret      text not null,
  created_at  timestamptz(3) not null default now(),
  created_by  text not null,
  primary key (flow_id, environment)
);

-- Signatures accepted within the replay window: a second delivery of the same one is refused.
create table webhook_signatures_seen (
  signature_hash text primary key,
  seen_at        timestamptz(3) not null default now()
);
create index webhook_signatures_seen_at_idx on webhook_signatures_seen (seen_at);

create table schedules (
  flow_id      text not null references flows (id) on delete cascade,
  environment  text not null,
  cron         text not null,
  timezone     text not null,
  enabled      boolean not null,
  next_fire_at timestamptz(3),
  last_fired_at timestamptz(3),
  last_run_id  text,
  last_error   text,
  updated_by   text,
  updated_at   timestamptz(3) not null default now(),
  primary key (flow_id, environment)
);

create table pollers (
  flow_id          text not null references flows (id) on delete cascade,
  environment      text not null,
  interval_seconds integer not null check (interval_seconds > 0),
  enabled          boolean not null,
  next_poll_at     timestamptz(3),
  last_polled_at   timestamptz(3),
  last_run_id      text,
  last_error       text,
  updated_by       text,
  updated_at       timestamptz(3) not null default now(),
  primary key (flow_id, environment)
);

-- Append-only: updates and deletes are refused by the database itself.
create table audit_log (
  id        bigserial primary key,
  at        timestamptz(3) not null default clock_timestamp(),
  actor     text not null,
  action    text not null,
  entity    text not null,
  entity_id text not null,
  before    jsonb,
  after     jsonb
);
create index audit_log_entity_idx on audit_log (entity, entity_id, id desc);
create index audit_log_actor_idx on audit_log (actor, id desc);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the audit log is append-only';
end
$$;

create trigger audit_log_no_change before update or delete on audit_log
  for each row execute function audit_log_append_only();

-- Sample documents stored with a flow (from flows/<id>/samples or uploaded), by name.
create table flow_samples (
  flow_id    text not null references flows (id) on delete cascade,
  name       text not null,
  content    bytea not null,
  created_at timestamptz(3) not null default now(),
  primary key (flow_id, name)
);
