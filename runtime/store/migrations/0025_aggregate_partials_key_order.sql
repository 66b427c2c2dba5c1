-- Partial groups are read back in byte order of their key (collate "C", as the engine sorts):
-- an index in that order lets each page of a spilled run's partials start where the last one
-- ended, instead of sorting every partial of the node left for each page (quadratic in a run's
-- partials: a match or aggregate run spilling 100,000 keys reads several hundred pages).
create index aggregate_partials_key_order on aggregate_partials (run_id, node_id, (group_key collate "C"), part);
