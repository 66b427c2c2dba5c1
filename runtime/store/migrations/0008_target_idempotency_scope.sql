-- The idempotency scope belongs to the receiving system, not to the flow node:
-- '<flow id>/<node id>' becomes '<environment>/<connection>/<object>', exactly as
-- idempotencyScope() in nodes/target/delivery-scope.ts computes it (change both together).
-- Each row is mapped with the flow version and environment of the run that claimed it
-- (claim tokens are '<run id>:<chunk>'). Rows of two nodes that wrote the same object
-- (a copied node, a split flow) merge; a delivered row wins over a pending or released one.
-- Rows no run explains (types without an object) keep their scope.
-- (document::json: the column is jsonb until 0010 and json after it; this reads both.)
create temporary table ledger_scope_map on commit drop as
select distinct l.scope as old_scope, l.claim_token,
  coalesce(r.environment, 'local') || '/' || case n.node->>'type'
    when 'target.postgres' then (n.node->'config'->>'connection') || '/table:' || (n.node->'config'->>'table')
    when 'target.http' then (n.node->'config'->>'connection') || '/' || coalesce(n.node->'config'->>'method', 'POST') || ':' || coalesce(n.node->'config'->>'path', '')
    when 'target.file' then 'files/file:' || (n.node->'config'->>'path')
  end as new_scope
from idempotency_ledger l
join runs r on r.id = split_part(l.claim_token, ':', 1)
join flow_versions v on v.flow_id = r.flow_id and v.version = r.version
cross join lateral json_array_elements(v.document::json->'nodes') as n(node)
where l.scope = r.flow_id || '/' || (n.node->>'id')
  and n.node->>'type' in ('target.postgres', 'target.http', 'target.file');

create temporary table ledger_rescoped on commit drop as
select distinct on (scope, key) scope, key, state, claim_token, target_ref, updated_at
from (
  select coalesce(m.new_scope, l.scope) as scope, l.key, l.state, l.claim_token, l.target_ref, l.updated_at
  from idempotency_ledger l
  left join ledger_scope_map m on m.old_scope = l.scope and m.claim_token = l.claim_token and m.new_scope is not null
) rows
order by scope, key, case state when 'delivered' then 0 when 'pending' then 1 else 2 end, updated_at desc;

delete from idempotency_ledger;
insert into idempotency_ledger (scope, key, state, claim_token, target_ref, updated_at)
select scope, key, state, claim_token, target_ref, updated_at from ledger_rescoped;
