-- Who changed a flow's draft, save by save (four-eyes counts every hand, not only
-- whoever saved the version). `after_version` is the flow's latest version when the
-- change was saved: the change goes into version after_version + 1.
create table draft_changes (
  id            bigint generated always as identity primary key,
  flow_id       text not null references flows (id) on delete cascade,
  author        text not null,
  after_version integer not null,
  changed_at    timestamptz(3) not null default now()
);
create index draft_changes_by_flow on draft_changes (flow_id, after_version);
