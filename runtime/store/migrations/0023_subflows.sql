-- Sub-flows: a group of nodes saved once under a name, with declared input and output ports, used
-- by several flows. Every save that changes it is a numbered version kept whole (never updated);
-- a flow pins the version it uses by carrying a copy of it in its document.
create table if not exists subflows (
  name        text not null,
  version     integer not null,
  definition  jsonb not null,
  hash        text not null,
  message     text,
  created_by  text,
  created_at  timestamptz not null default now(),
  primary key (name, version)
);
