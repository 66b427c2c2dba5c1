-- Reference data sets managed through the API, the CLI and the designer: every load is a numbered
-- version with who loaded it and from what; a set is keyed by one field or several (composite key),
-- may carry effective dates (valid from/to fields) and may hold several rows per key (one-to-many).
-- A run records the versions it read.

alter table reference_data_loads add column if not exists version     integer;
alter table reference_data_loads add column if not exists key_fields  jsonb;
alter table reference_data_loads add column if not exists valid_from  text;
alter table reference_data_loads add column if not exists valid_to    text;
alter table reference_data_loads add column if not exists multiple    boolean not null default false;
alter table reference_data_loads add column if not exists row_count   integer;
alter table reference_data_loads add column if not exists source_name text;
alter table reference_data_loads add column if not exists loaded_by   text;

-- rows become the rows themselves (they were [key, row] pairs): the key fields say how to key them.
update reference_data_loads l set
  rows = coalesce((select jsonb_agg(e.value -> 1 order by e.ord) from jsonb_array_elements(l.rows) with ordinality as e(value, ord)), '[]'::jsonb),
  version = v.n,
  key_fields = jsonb_build_array(l.key_field),
  row_count = jsonb_array_length(l.rows)
from (select set_name, loaded_at, row_number() over (partition by set_name order by loaded_at) as n from reference_data_loads) v
where v.set_name = l.set_name and v.loaded_at = l.loaded_at;

alter table reference_data_loads alter column version set not null;
alter table reference_data_loads alter column key_fields set not null;
alter table reference_data_loads alter column row_count set not null;
create unique index if not exists reference_data_loads_version_idx on reference_data_loads (set_name, version);

-- The current version of each set; its rows are read from reference_data_loads.
alter table reference_sets add column if not exists current_version integer;
update reference_sets s set current_version = (select max(version) from reference_data_loads l where l.set_name = s.set_name);
drop table if exists reference_data;

-- { "<name in the flow>": { "set": "<stored set>", "version": n } } of the sets a run read.
alter table runs add column if not exists reference_versions jsonb;
