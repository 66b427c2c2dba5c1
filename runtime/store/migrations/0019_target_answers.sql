-- What a target answered for a delivered record (HTTP status and body, returned columns, file
-- name, message id), kept with the delivery when the target's `out` port is connected: a retry or
-- replay that finds the key delivered passes the same answer on downstream instead of sending again.
alter table idempotency_ledger add column if not exists target_answer jsonb;
