-- SFTP servers are named connections too (issue 18): source.sftp and target.sftp (with every kind before: postgres, http, amqp, nats).
alter table connections drop constraint if exists connections_kind_check;
alter table connections add constraint connections_kind_check check (kind in ('postgres', 'http', 'amqp', 'nats', 'sftp'));
