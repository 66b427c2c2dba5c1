-- Keyed state (issue 17): values that flows read and update per key across records, chunks,
-- runs and workers, e.g. the open balance of each invoice during cash application.
-- scope = environment and state name. A row is locked (select … for update) while a change is
-- computed, so two workers changing the same key are serialised and no update is lost.
create table keyed_state (
  scope      text not null,
  key        text not null,
  value      jsonb,
  version    bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (scope, key)
);

-- One row per change applied, by the change's apply key (the record's idempotency key), written
-- in the transaction that changes the value: a retried chunk or a replayed record finds its change
-- here and gets the recorded before/after back instead of applying it a second time.
create table keyed_state_changes (
  scope      text not null,
  apply_key  text not null,
  key        text not null,
  before     jsonb,
  after      jsonb,
  run_id     text not null,
  node_id    text not null,
  applied_at timestamptz not null default now(),
  primary key (scope, apply_key)
);

create index keyed_state_changes_key_idx on keyed_state_changes (scope, key, applied_at);
