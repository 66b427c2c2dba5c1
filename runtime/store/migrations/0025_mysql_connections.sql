-- A MySQL/MariaDB database is a connection kind of its own (CONNECTION_KINDS); the store refused to keep one bound.
alter table connections drop constraint if exists connections_kind_check;
alter table connections add constraint connections_kind_check check (kind in ('postgres', 'mysql', 'http', 'amqp', 'nats', 'sftp'));
