-- Answers to API requests sent with an Idempotency-Key header (replay, discard, manual run), per user:
-- a client retrying after a timeout or an error gets the first answer instead of a second run.
create table if not exists idempotency_keys (
  username    text not null,
  key         text not null,
  -- method, path and a hash of the body: the same key for a different request is refused.
  fingerprint text not null,
  -- null while the first request is in progress
  status      integer,
  response    text,
  content_type text,
  created_at  timestamptz(3) not null default now(),
  primary key (username, key)
);
create index if not exists idempotency_keys_created_idx on idempotency_keys (created_at);
