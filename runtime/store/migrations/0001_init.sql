-- Ledgerflow store, first schema. Timestamps are timestamptz(3) so that they
-- round-trip exactly through JavaScript Dates (page cursors depend on it).

create table flows (
  id          text primary key,
  name        text not null,
  description text,
  draft       jsonb not null,
  created_at  timestamptz(3) not null default now(),
  updated_at  timestamptz(3) not null default now(),
  updated_by  text
);

-- Immutable: a version is a control record (what ran, who saved it).
create table flow_versions (
  flow_id    text not null references flows (id),
  version    integer not null check (version > 0),
  document   jsonb not null,
  hash       text not null,
  author     text not null,
  message    text not null,
  created_at timestamptz(3) not null default now(),
  constraint flow_versions_flow_id_version_key unique (flow_id, version)
);

create function flow_versions_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'flow version % of flow % is immutable; save a new version instead', old.version, old.flow_id;
end
$$;

create trigger flow_versions_no_update before update on flow_versions
  for each row execute function flow_versions_immutable();

create table runs (
  id             text primary key,
  flow_id        text not null,
  version        integer,
  environment    text,
  trigger        text not null,
  trigger_ref    text,
  status         text not null check (status in ('queued', 'running', 'succeeded', 'completed_with_exceptions', 'failed', 'cancelled')),
  counts         jsonb not null default '{"read":0,"delivered":0,"quarantined":0,"deadLettered":0,"duplicate":0,"filtered":0}',
  reconciliation jsonb,
  error          jsonb,
  has_exceptions boolean generated always as (
    coalesce((counts ->> 'quarantined')::bigint, 0) + coalesce((counts ->> 'deadLettered')::bigint, 0) > 0
  ) stored,
  -- clock_timestamp: runs created in one transaction still get distinct, ordered times.
  created_at     timestamptz(3) not null default clock_timestamp(),
  started_at     timestamptz(3),
  finished_at    timestamptz(3),
  replay_of      text
);

create index runs_created_idx on runs (created_at desc, id desc);
create index runs_flow_created_idx on runs (flow_id, created_at desc, id desc);
create index runs_status_idx on runs (status);

create table node_stats (
  run_id        text not null references runs (id) on delete cascade,
  node_id       text not null,
  in_count      bigint not null default 0,
  out_count     bigint not null default 0,
  invalid_count bigint not null default 0,
  error_count   bigint not null default 0,
  ms            double precision not null default 0,
  primary key (run_id, node_id)
);

-- Written in bulk by the trace sink; no foreign keys so that the hot path pays
-- for nothing but the row and its indexes. Retention may null input, output
-- and steps and keep the rest (the lineage skeleton).
create table record_traces (
  id              bigserial primary key,
  run_id          text not null,
  flow_id         text not null,
  version         integer,
  environment     text,
  lineage_key     text not null,
  source_key      text not null,
  business_key    text,
  path            text[] not null,
  outcome         text not null check (outcome in ('delivered', 'quarantined', 'dead_lettered', 'duplicate', 'filtered')),
  end_node        text not null,
  target_node     text,
  idempotency_key text,
  target_ref      text,
  target_status   integer,
  error_class     text,
  -- Snapshots are json, not jsonb: cheaper to write on the hot path, and they
  -- keep the field order of the record, which is what a person reading a
  -- lineage expects to see.
  error           json,
  failures        json,
  retries         json,
  input           json,
  output          json,
  steps           json,
  amount          numeric,
  currency        text,
  event_time      timestamptz(3),
  finished_at     timestamptz(3) not null,
  created_at      timestamptz(3) not null default now()
);

create index record_traces_business_key_idx on record_traces (business_key, id desc) where business_key is not null;
create index record_traces_run_idx on record_traces (run_id, id);
create index record_traces_run_outcome_idx on record_traces (run_id, outcome, id);
create index record_traces_run_lineage_idx on record_traces (run_id, lineage_key text_pattern_ops);

create table dead_letters (
  id            bigserial primary key,
  run_id        text not null,
  flow_id       text not null,
  version       integer,
  environment   text,
  lineage_key   text not null,
  source_key    text not null,
  business_key  text,
  node_id       text not null,
  disposition   text not null check (disposition in ('quarantined', 'dead_lettered')),
  error_class   text not null check (error_class in ('validation', 'mapping', 'transient', 'permanent')),
  error         jsonb not null,
  source_record jsonb,
  status        text not null default 'open' check (status in ('open', 'replayed', 'discarded')),
  status_reason text,
  replay_run_id text,
  created_at    timestamptz(3) not null default now(),
  updated_at    timestamptz(3) not null default now()
);

create index dead_letters_status_flow_idx on dead_letters (status, flow_id, created_at);
create index dead_letters_run_idx on dead_letters (run_id);

create table idempotency_ledger (
  scope       text not null,
  key         text not null,
  state       text not null check (state in ('pending', 'delivered', 'released')),
  -- Identifies the claiming run chunk; a retried chunk reuses it to re-own its keys.
  claim_token text not null,
  target_ref  text,
  updated_at  timestamptz(3) not null default now(),
  primary key (scope, key)
);

create table reference_sets (
  set_name  text primary key,
  key_field text not null,
  row_count integer not null,
  loaded_at timestamptz(3) not null default now()
);

create table reference_data (
  set_name text not null references reference_sets (set_name) on delete cascade,
  key      text not null,
  row      jsonb not null,
  primary key (set_name, key)
);

create table watermarks (
  flow_id     text not null,
  node_id     text not null,
  environment text not null,
  value       text not null,
  updated_at  timestamptz(3) not null default now(),
  primary key (flow_id, node_id, environment)
);
