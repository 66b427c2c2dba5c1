-- Items of a record that fans out (one bank notification -> six entries) are first-class:
-- traces and dead letters name the item within its source record. '' is the whole record.
alter table record_traces add column if not exists item_key text;

alter table dead_letters add column if not exists item_key text not null default '';
-- A record (or item) that fails again updates its open dead letter instead of adding one.
alter table dead_letters add column if not exists attempts integer not null default 1;
alter table dead_letters add column if not exists first_run_id text;

-- Dead letters stored before: the item is the lineage key's position within its source record
-- ('1.3' -> '3', '2.0.1' -> '0/1'), as the engine names items that declare no key.
update dead_letters set item_key = replace(regexp_replace(lineage_key, '^[^.]*\.?', ''), '.', '/'), first_run_id = run_id;

-- Open dead letters of the same record from earlier re-runs: the newest stays open and counts the attempts,
-- the older ones are closed as merged into it (their source records are the same record).
update dead_letters d set attempts = g.n, first_run_id = g.first_run
from (
  select max(id) as keeper, count(*) as n, (array_agg(run_id order by id))[1] as first_run
  from dead_letters where status = 'open'
  group by flow_id, coalesce(environment, ''), source_key, item_key having count(*) > 1
) g
where d.id = g.keeper;

update dead_letters d set status = 'discarded', status_reason = 'merged into dead letter ' || g.keeper || ' (the same record failed again)', updated_at = now()
from (
  select id, max(id) over (partition by flow_id, coalesce(environment, ''), source_key, item_key) as keeper
  from dead_letters where status = 'open'
) g
where d.id = g.id and g.id <> g.keeper;

create unique index if not exists dead_letters_open_item_idx
  on dead_letters (flow_id, (coalesce(environment, '')), source_key, item_key) where status = 'open';

-- Every load of a reference data set is kept, so a replay can evaluate a record against the
-- reference data as it was when the record failed, or against the current one (the operator's choice).
create table if not exists reference_data_loads (
  set_name  text not null,
  loaded_at timestamptz(3) not null,
  key_field text not null,
  -- [key, row] pairs, as the set held them
  rows      jsonb not null,
  primary key (set_name, loaded_at)
);
insert into reference_data_loads (set_name, loaded_at, key_field, rows)
select s.set_name, s.loaded_at, s.key_field,
  coalesce((select jsonb_agg(jsonb_build_array(d.key, d.row) order by d.key) from reference_data d where d.set_name = s.set_name), '[]'::jsonb)
from reference_sets s
on conflict do nothing;

-- A replay's choice: evaluate with the reference data as loaded at this time (null: the current data).
alter table run_inputs add column if not exists reference_as_of timestamptz(3);
