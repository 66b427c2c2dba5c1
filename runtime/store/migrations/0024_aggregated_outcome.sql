-- Lines an aggregate node folds into a group end with their own outcome, `aggregated`
-- (they were counted `filtered` before), so a run reads: source records = delivered +
-- quarantined + dead-lettered + duplicate + filtered + aggregated, with the group records
-- counted apart. A dead-lettered group record remembers its aggregate node: its replay
-- runs the stored group from that node on instead of reading the source again.
alter table record_traces drop constraint if exists record_traces_outcome_check;
alter table record_traces add constraint record_traces_outcome_check
  check (outcome in ('delivered', 'quarantined', 'dead_lettered', 'duplicate', 'filtered', 'aggregated'));
alter table dead_letters add column if not exists entry_node text;
