-- Aggregate nodes across chunks and workers. A chunk's partial groups are stored in the
-- transaction that marks the chunk done, so a retried chunk never counts twice; once every
-- chunk is done they are merged by key and the groups queued as chunks of their own, which
-- enter the graph at the aggregate node (entry_node). An in-process run spills its groups
-- here (negative part numbers) when it holds more than the node's limit.
create table aggregate_partials (
  run_id    text not null references runs (id) on delete cascade,
  node_id   text not null,
  -- The chunk that built the partial (queue), or -n for the n-th spill of an in-process run.
  part      integer not null,
  group_key text not null,
  state     jsonb not null,
  primary key (run_id, node_id, group_key, part)
);

alter table run_chunks add column entry_node text;

-- Aggregate nodes whose groups have been queued (upstream ones first).
alter table run_progress add column grouped_nodes text[] not null default '{}';
