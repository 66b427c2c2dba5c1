import { PGlite } from '@electric-sql/pglite';
import { rmSync } from 'node:fs';
rmSync('/tmp/e20/mb', { recursive: true, force: true });
const pg = await PGlite.create('/tmp/e20/mb');
const ddl = (name, extra = '', unlogged = '') => `create ${unlogged} table ${name} (scope text not null, key text not null, state text not null, claim_token text not null, target_ref text, target_answer jsonb, updated_at timestamptz(3) not null default now(), primary key (scope, key)) ${extra}`;
await pg.exec(ddl('l_plain'));
await pg.exec(ddl('l_ff', 'with (fillfactor = 70)'));
await pg.exec(ddl('l_unlogged', '', 'unlogged'));
const claim = (t) => `insert into ${t} (scope, key, state, claim_token) select $1, k, 'pending', $3 from unnest($2::text[]) as k
 on conflict (scope, key) do update set state = 'pending', claim_token = excluded.claim_token, updated_at = now()
 where ${t}.state = 'released' or (${t}.state = 'pending' and ${t}.claim_token = excluded.claim_token) returning key`;
const confirm = (t) => `insert into ${t} (scope, key, state, claim_token, target_ref, target_answer)
 select $1, k, 'delivered', $4, r, a::jsonb from unnest($2::text[], $3::text[], $5::text[]) as e(k, r, a)
 on conflict (scope, key) do update set state = 'delivered', target_ref = excluded.target_ref,
 target_answer = coalesce(excluded.target_answer, ${t}.target_answer), updated_at = now()
 where ${t}.claim_token = excluded.claim_token and ${t}.state <> 'delivered'`;
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const res = {};
for (let round = 0; round < 4; round++) {
  for (const t of ['l_plain', 'l_ff', 'l_unlogged']) {
    const scope = `file:passthrough-${round}-${t}.jsonl`;
    let c1 = 0, c2 = 0;
    for (let chunk = 0; chunk < 20; chunk++) {
      const keys = Array.from({ length: 500 }, (_, i) => `evt-${String(chunk * 500 + i).padStart(8, '0')}`).sort();
      const token = `run_x:${chunk}`;
      let t0 = cpu(); await pg.query(claim(t), [scope, keys, token]); c1 += cpu() - t0;
      t0 = cpu(); await pg.query(confirm(t), [scope, keys, keys.map(() => null), token, keys.map(() => null)]); c2 += cpu() - t0;
    }
    if (round > 0) (res[t] ??= []).push([c1 / 10000, c2 / 10000].map((x) => x.toFixed(1)).join('/'));
  }
}
console.log(res);
// empty statement cost
let t0 = cpu(); for (let i = 0; i < 200; i++) await pg.query('select 1'); console.log('select 1 µs', (cpu() - t0) / 200);
t0 = cpu(); for (let i = 0; i < 200; i++) await pg.query('insert into l_plain values ($1, $2, $3, $4)', ['s', 'k' + i, 'pending', 't']); console.log('1-row insert µs', (cpu() - t0) / 200);
await pg.close();
