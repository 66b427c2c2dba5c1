-- Per-key delivery order (a flow's `ordering`): a run's chunks form sequences, one per
-- partition of the ordering keys, and a chunk is queued only once the chunk it follows
-- is done. after_chunk names that chunk (null: the first of its sequence, or a run
-- without ordering, whose chunks are all queued at once).
alter table run_chunks add column after_chunk integer;

create index run_chunks_after_idx on run_chunks (run_id, after_chunk) where after_chunk is not null;
