-- Connections may be bound to message brokers: AMQP 0-9-1 (RabbitMQ) and NATS JetStream.
alter table connections drop constraint connections_kind_check;
alter table connections add constraint connections_kind_check check (kind in ('postgres', 'http', 'amqp', 'nats'));
