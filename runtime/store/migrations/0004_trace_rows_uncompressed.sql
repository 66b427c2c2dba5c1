-- A trace row carries two snapshots of about 1 KB each, so it passes the
-- 2 KB mark at which Postgres starts compressing values (pglz). Compressing
-- every row on the way in is the largest single cost of writing traces on the
-- embedded store (about a sixth of the row's write time). Rows up to 8 KB are now
-- stored as written: about 30% more disk per trace, for traces written
-- faster; larger rows are still compressed and moved out of line as before.
alter table record_traces set (toast_tuple_target = 8160);
