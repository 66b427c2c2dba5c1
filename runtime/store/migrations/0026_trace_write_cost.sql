-- Issue 20: less work per trace row and per ledger claim.
-- No query reads record_traces by the exact business key outside a run: the
-- operators' search goes by its lower-cased prefix (record_traces_business_key_prefix_idx,
-- migration 0017), and a run's own search starts from run_id. Every trace row
-- paid for this index all the same.
drop index if exists record_traces_business_key_idx;
-- A ledger row is inserted pending and updated to delivered moments later: room
-- left on its page lets that update stay on the page (a HOT update) instead of
-- adding a second entry to the primary key's index. New pages only.
alter table idempotency_ledger set (fillfactor = 70);
-- A record a flow passed on unchanged (the same object in and out) is stored
-- once, in `input`, with `output_is_input` set; `output` stays null. Null (as in
-- every row written before) means the output is in `output`.
alter table record_traces add column if not exists output_is_input boolean;
