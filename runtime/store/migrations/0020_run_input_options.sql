-- What a run started from the CLI may ask besides its input, stored with it so that every
-- worker runs it alike: which source node reads (a flow with several sources), and a dry run
-- (targets not written, watermarks not moved; traces and figures stored as for any run).
alter table run_inputs add column if not exists source_node_id text;
alter table run_inputs add column if not exists dry_run boolean not null default false;
