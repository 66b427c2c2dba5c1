import { PGlite } from '@electric-sql/pglite';
import { rmSync } from 'node:fs';
rmSync('/tmp/e20/mb4', { recursive: true, force: true });
const pg = await PGlite.create('/tmp/e20/mb4');
await pg.exec(`create table l (scope text not null, key text not null, state text not null, claim_token text not null, target_ref text, target_answer jsonb, updated_at timestamptz(3) not null default now(), primary key (scope, key)) with (fillfactor = 70)`);
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const onConflictClaim = `on conflict (scope, key) do update set state = 'pending', claim_token = excluded.claim_token, updated_at = now()
 where l.state = 'released' or (l.state = 'pending' and l.claim_token = excluded.claim_token)`;
const onConflictConfirm = `on conflict (scope, key) do update set state = 'delivered', target_ref = excluded.target_ref,
 target_answer = coalesce(excluded.target_answer, l.target_answer), updated_at = now()
 where l.claim_token = excluded.claim_token and l.state <> 'delivered'`;
const V = {
  cur: async (scope, keys, token) => {
    await pg.query(`insert into l (scope, key, state, claim_token) select $1, k, 'pending', $3 from unnest($2::text[]) as k ${onConflictClaim} returning key`, [scope, keys, token]);
    await pg.query(`insert into l (scope, key, state, claim_token, target_ref, target_answer) select $1, k, 'delivered', $4, r, a::jsonb from unnest($2::text[], $3::text[], $5::text[]) as e(k, r, a) ${onConflictConfirm}`, [scope, keys, keys.map(() => null), token, keys.map(() => null)]);
  },
  keysOnly: async (scope, keys, token) => {
    await pg.query(`insert into l (scope, key, state, claim_token) select $1, k, 'pending', $3 from unnest($2::text[]) as k ${onConflictClaim} returning key`, [scope, keys, token]);
    await pg.query(`insert into l (scope, key, state, claim_token) select $1, k, 'delivered', $3 from unnest($2::text[]) as k ${onConflictConfirm}`, [scope, keys, token]);
  },
  json: async (scope, keys, token) => {
    await pg.query(`insert into l (scope, key, state, claim_token) select $1, k, 'pending', $3 from json_array_elements_text($2::json) as k ${onConflictClaim} returning key`, [scope, JSON.stringify(keys), token]);
    await pg.query(`insert into l (scope, key, state, claim_token) select $1, k, 'delivered', $3 from json_array_elements_text($2::json) as k ${onConflictConfirm}`, [scope, JSON.stringify(keys), token]);
  },
  jsonNoRet: async (scope, keys, token) => {
    await pg.query(`insert into l (scope, key, state, claim_token) select $1, k, 'pending', $3 from json_array_elements_text($2::json) as k ${onConflictClaim}`, [scope, JSON.stringify(keys), token]);
    await pg.query(`insert into l (scope, key, state, claim_token) select $1, k, 'delivered', $3 from json_array_elements_text($2::json) as k ${onConflictConfirm}`, [scope, JSON.stringify(keys), token]);
  },
};
const res = {};
for (let round = 0; round < 5; round++) for (const [name, fn] of Object.entries(V)) {
  const scope = `file:passthrough-${round}-${name}.jsonl`;
  const t0 = cpu();
  for (let chunk = 0; chunk < 10; chunk++) {
    const keys = Array.from({ length: 500 }, (_, i) => `evt-${String(chunk * 500 + i).padStart(8, '0')}`).sort();
    await fn(scope, keys, `run_x:${chunk}`);
  }
  if (round) (res[name] ??= []).push(((cpu() - t0) / 5000).toFixed(1));
}
console.log(res);
await pg.close();
