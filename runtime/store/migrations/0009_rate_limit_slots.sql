-- Rate limits shared by every run and worker process: per environment and connection
-- (`key`), the time of the next free request slot. A slot is taken by one atomic upsert
-- (runtime/store/rate-limit-slots.ts).
create table rate_limit_slots (
  key          text primary key,
  next_free_at timestamptz not null
);
