-- Operators search a business document by the start of its key, in any case ("inv-2026-00" finds
-- INV-2026-0042), and fan-out items by their own key (a camt entry reference): prefix indexes on the
-- lower-cased keys keep that an index range scan, newest first.
create index if not exists record_traces_business_key_prefix_idx on record_traces (lower(business_key) text_pattern_ops, id desc) where business_key is not null;
create index if not exists record_traces_item_key_prefix_idx on record_traces (lower(item_key) text_pattern_ops, id desc) where item_key is not null;
