-- Concurrency limits shared by every run and worker process: per environment and connection
-- (`key`), at most `maxConcurrent` requests in flight. Each request in flight holds one numbered
-- place (`slot`, 1..maxConcurrent) until it is answered; a holder renews `expires_at` while it
-- waits, so a crashed worker's places free themselves when their lease runs out
-- (runtime/store/connection-leases.ts).
create table connection_leases (
  key        text not null,
  slot       integer not null,
  holder     text not null,
  expires_at timestamptz not null,
  primary key (key, slot)
);
