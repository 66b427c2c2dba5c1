import { PGlite } from '@electric-sql/pglite';
import { rmSync } from 'node:fs';
rmSync('/tmp/e20/mb2', { recursive: true, force: true });
const pg = await PGlite.create('/tmp/e20/mb2');
await pg.exec(`create table l (scope text not null, key text not null, state text not null, claim_token text not null, target_ref text, target_answer jsonb, updated_at timestamptz(3) not null default now(), primary key (scope, key))`);
await pg.exec(`create table nopk (scope text not null, key text not null, state text not null, claim_token text not null)`);
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const keys = (c) => Array.from({ length: 500 }, (_, i) => `evt-${String(c * 500 + i).padStart(8, '0')}`);
const tests = {
  unnestCount: (c) => pg.query('select count(*) from unnest($1::text[])', [keys(c)]),
  jsonCount: (c) => pg.query('select count(*) from json_array_elements_text($1::json)', [JSON.stringify(keys(c))]),
  insertNoPk: (c) => pg.query(`insert into nopk select 's'||$2, k, 'pending', 't' from unnest($1::text[]) k`, [keys(c), c]),
  insertPk: (c) => pg.query(`insert into l (scope, key, state, claim_token) select 's'||$2, k, 'pending', 't' from unnest($1::text[]) k`, [keys(c), c]),
  insertPkReturning: (c) => pg.query(`insert into l (scope, key, state, claim_token) select 'r'||$2, k, 'pending', 't' from unnest($1::text[]) k returning key`, [keys(c), c]),
  updateAll: (c) => pg.query(`update l set state = 'delivered', updated_at = now() from unnest($1::text[]) k where l.scope = 's'||$2 and l.key = k`, [keys(c), c]),
};
for (const [name, fn] of Object.entries(tests)) {
  await fn(999);
  const t0 = cpu(); for (let c = 0; c < 10; c++) await fn(c); console.log(name, ((cpu() - t0) / 5000).toFixed(2), 'µs/key');
}
await pg.close();
