-- Drafts carry a revision: a save names the revision it was based on and is refused
-- (409) when someone saved the draft since, instead of silently discarding their edit.
alter table flows add column draft_revision bigint not null default 1;

-- jsonb stores object keys sorted (shortest first), so a saved flow came back with its
-- keys reordered: a CSV target's columns or a Postgres target's column mapping changed
-- order. json keeps the text as written, so key order survives the database.
-- (Documents saved before this migration were already reordered by jsonb.)
alter table flows alter column draft type json using draft::json;
alter table flow_versions alter column document type json using document::json;
