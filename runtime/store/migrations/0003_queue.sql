-- Durable execution: what a queued run reads, the chunks its records were cut
-- into, its read-side progress, and the workers sharing the work. The jobs
-- themselves live in pg-boss's own schema; these tables are the run's truth,
-- so a job that runs twice finds its chunk already done.

-- Stored with the run row, in the same transaction: a worker can always re-read it.
create table run_inputs (
  run_id                text primary key references runs (id) on delete cascade,
  kind                  text not null check (kind in ('document', 'records', 'source')),
  name                  text,
  bytes                 bytea,
  records               jsonb,
  -- Dead letters a replay run marks replayed when it finishes.
  replay_dead_letter_ids bigint[] not null default '{}',
  requested_by          text not null,
  created_at            timestamptz(3) not null default now()
);

-- One row per run once its split job starts reading.
create table run_progress (
  run_id        text primary key references runs (id) on delete cascade,
  -- Set when every record was read and every chunk queued.
  split_done    boolean not null default false,
  chunks_total  integer not null default 0,
  records_read  bigint not null default 0,
  -- Watermarks the source proposed; committed when the run finishes without failing.
  watermarks    jsonb not null default '[]',
  updated_at    timestamptz(3) not null default now()
);

create table run_chunks (
  run_id     text not null references runs (id) on delete cascade,
  chunk_no   integer not null check (chunk_no > 0),
  first_seq  bigint not null,
  -- The chunk's source records with what was computed when they were read (RootRecord[]).
  roots      jsonb not null,
  -- Read-side control totals of these records (a partial Reconciliation).
  read       jsonb not null,
  status     text not null default 'pending' check (status in ('pending', 'done', 'skipped', 'failed')),
  attempts   integer not null default 0,
  worker_id  text,
  -- Outcome-side counts and control totals of the chunk (a partial Reconciliation).
  outcome    jsonb,
  error      jsonb,
  created_at timestamptz(3) not null default now(),
  done_at    timestamptz(3),
  primary key (run_id, chunk_no)
);

create index run_chunks_pending_idx on run_chunks (run_id) where status = 'pending';

create table workers (
  id           text primary key,
  host         text not null,
  pid          integer not null,
  started_at   timestamptz(3) not null default now(),
  last_seen_at timestamptz(3) not null default now(),
  stopped_at   timestamptz(3),
  chunks_done  bigint not null default 0,
  records_done bigint not null default 0
);
