-- SFTP servers are named connections too (issue 18): source.sftp and target.sftp.
alter table connections drop constraint if exists connections_kind_check;
alter table connections add constraint connections_kind_check check (kind in ('postgres', 'http', 'sftp'));
