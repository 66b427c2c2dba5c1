-- Issue 20: one index fewer for every delivered trace row.
-- A run's traces are read by outcome for its exceptions (quarantined, dead-lettered,
-- duplicate, filtered, aggregated: the run page's outcome filter, the operations
-- figures by error class); delivered rows are most of a run, and a filter on
-- `delivered` reads them in id order from record_traces_run_idx (run_id, id), where
-- nearly every row matches. So the outcome index holds the other outcomes only.
-- A query naming an outcome other than delivered (as a constant or a bound
-- parameter) still uses it; every delivered row costs one index insert less.
drop index if exists record_traces_run_outcome_idx;
create index if not exists record_traces_run_outcome_idx on record_traces (run_id, outcome, id) where outcome <> 'delivered';
