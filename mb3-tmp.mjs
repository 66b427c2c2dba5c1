import { PGlite } from '@electric-sql/pglite';
import { rmSync } from 'node:fs';
rmSync('/tmp/e20/mb3', { recursive: true, force: true });
const pg = await PGlite.create('/tmp/e20/mb3');
await pg.exec(`create table tj (a json, b json); create table tt (a text, b text); create table tjb (a jsonb, b jsonb); alter table tj set (toast_tuple_target = 8160); alter table tt set (toast_tuple_target = 8160)`);
const rec = { eventId: 'evt-1', type: 'po.approved', purchaseOrder: { number: 'PO-2026-000123', currency: 'EUR', supplier: { id: 'SUP-1', name: 'Acme Supplies GmbH', country: 'DE' }, lines: Array.from({ length: 5 }, (_, i) => ({ line: i + 1, sku: `SKU-${i}`, description: 'Office chairs, ergonomic, black', quantity: 3 + i, unitPrice: '96.00' })) } };
const json = JSON.stringify(rec).replace(/\\/g, '\\\\');
console.log('json bytes', json.length);
const payload = new TextEncoder().encode(Array.from({ length: 500 }, () => `${json}\t${json}\n`).join(''));
const FS = pg.Module.FS;
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const res = {};
for (let r = 0; r < 6; r++) for (const t of ['tj', 'tt', 'tjb']) {
  const t0 = cpu();
  for (let i = 0; i < 10; i++) { FS.writeFile('/tmp/c', payload); await pg.query(`copy ${t} (a, b) from '/tmp/c'`); }
  if (r) (res[t] ??= []).push(((cpu() - t0) / 5000).toFixed(1));
}
console.log(res);
await pg.close();
