// A process that owns an embedded data folder and keeps committing numbered rows, printing
// "committed N" after each commit; for the data-folder lock tests. Usage: folder-holder.mjs <dataDir>
import { register } from 'tsx/esm/api';

register();
const { openPgliteStore } = await import('../../../runtime/store/open-store.ts');
const store = await openPgliteStore({ dataDir: process.argv[2] });
await store.sql.query('create table if not exists holder_rows (n integer primary key, at timestamptz not null default now())');
const { rows } = await store.sql.query('select coalesce(max(n), 0) as n from holder_rows');
let n = Number(rows[0].n);
console.log(`ready ${n}`);
process.on('SIGTERM', () => store.close().then(() => process.exit(0)));
for (;;) {
  n++;
  await store.sql.query('insert into holder_rows (n) values ($1)', [n]);
  console.log(`committed ${n}`);
  await new Promise((r) => setTimeout(r, 5));
}
