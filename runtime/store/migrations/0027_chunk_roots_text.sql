-- Issue 20: a queued chunk's records are stored as the JSON text the split made
-- and parsed once by the worker that runs the chunk. As jsonb they were parsed
-- by Postgres on insert, turned back into text on every read and compressed
-- (pglz) on the way to TOAST: 36 µs of Postgres CPU a record of ~1.2 KB on these
-- machines, against 6.5 µs as text stored uncompressed (measured in one process,
-- 20,000 records in chunks of 500, medians of five rounds). The text is kept
-- only while the chunk is pending: a finished run's chunks are emptied to '[]'.
alter table run_chunks alter column roots type text using roots::text;
alter table run_chunks alter column roots set storage external;
-- The highest record position (seq) among a chunk's records, so that group
-- chunks can follow a run's records without parsing every chunk's text
-- (null in chunks stored before: their roots are parsed instead).
alter table run_chunks add column if not exists last_seq bigint;
