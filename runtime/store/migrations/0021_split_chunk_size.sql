-- The chunk size a run's records are cut with, fixed by the first split attempt. A retried
-- split (another worker, maybe started with another --chunk-size) cuts the same chunks;
-- with its own size it would skip chunk numbers already stored and lose or repeat records.
-- Null for runs split before this migration: their next split attempt fixes it.
alter table run_progress add column chunk_size integer check (chunk_size > 0);
