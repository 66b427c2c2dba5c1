/**
 * `npm run demo:systems`: starts the example flows' mock systems on fixed
 * loopback ports (mock-systems.ts, the servers the tests start), puts the
 * procure-to-pay example's "PO approved" events on RabbitMQ when it is
 * reachable, prints what runs where and how to bind the connections of the
 * dev environment, and stops the servers on Ctrl-C.
 *
 * Options: `--no-events` (publish nothing), `--orders <n>` (default 250).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SSHD } from '../runtime/connectors/sftp-server.ts';
import { DEMO_PORTS, PO_EVENTS_QUEUE, RABBIT_URL, poApprovedMessages, publishToQueue, startMockSystems, type ConnectionBinding, type MockSystems } from './mock-systems.ts';

const { values } = parseArgs({ options: { 'no-events': { type: 'boolean', default: false }, orders: { type: 'string', default: '250' } } });
const orders = Number(values.orders);
if (!Number.isInteger(orders) || orders < 1) {
  console.error(`--orders must be a positive whole number, not '${values.orders}'`);
  process.exit(2);
}

let systems: MockSystems;
try {
  systems = await startMockSystems({ fixedPorts: true, orders, sftp: existsSync(SSHD) });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  console.error(e.code === 'EADDRINUSE'
    ? `a port is taken (${e.message}); the demo systems use ${Object.values(DEMO_PORTS).join(', ')} on 127.0.0.1 — is another demo:systems running?`
    : `the demo systems could not start: ${e.message}`);
  process.exit(1);
}
const { procurement, sap, planning, usErp, sftp, bindings } = systems;

let events: string;
if (values['no-events']) {
  events = 'not published (--no-events)';
} else {
  // Every 4th order is announced as approved; a restart publishes them again, and the flow counts the repeats duplicate.
  const announced = procurement.orders.filter((_, i) => (i + 1) % 4 === 0);
  try {
    await publishToQueue(PO_EVENTS_QUEUE, poApprovedMessages(announced));
    events = `${announced.length} "PO approved" events published to queue ${PO_EVENTS_QUEUE}`;
  } catch (err) {
    events = `not reachable (${(err as Error).message}); no events published`;
  }
}

/** The environment variable a connections file takes a secret from. */
const envName = (connection: string, secret: string) => `DEMO_${connection}_${secret}`.toUpperCase();

/** The connections file of `ledgerflow run --connections`: settings inline, secrets from the environment. */
function fileBinding(name: string, b: ConnectionBinding): Record<string, unknown> {
  const { embedded, ...settings } = b.settings;
  const text = JSON.stringify({ kind: b.kind, ...settings, ...(embedded ? { url: 'embedded' } : {}) }).replace(/\{\{secret:([a-z_]+)\}\}/g, (_, secret: string) => `$env:${envName(name, secret)}`);
  return JSON.parse(text);
}
const file = join(tmpdir(), 'ledgerflow-demo-connections.json');
await writeFile(file, `${JSON.stringify(Object.fromEntries(Object.entries(bindings).map(([n, b]) => [n, fileBinding(n, b)])), null, 2)}\n`);
// A secret of several lines (the SFTP key) goes in a file of its own, read into the variable.
const exports = await Promise.all(Object.entries(bindings).flatMap(([n, b]) => Object.entries(b.secrets ?? {}).map(async ([s, v]) => {
  if (!v.includes('\n')) return `export ${envName(n, s)}=${v}`;
  const keyFile = join(tmpdir(), `ledgerflow-demo-${n}-${s}`);
  await writeFile(keyFile, v, { mode: 0o600 });
  return `export ${envName(n, s)}="$(cat ${keyFile})"`;
})));

const rows = [
  ['procurement platform API', procurement.baseUrl, `OAuth2 client credentials at ${procurement.tokenUrl} (client ledgerflow); ${procurement.orders.length} purchase orders: GET /orders, PATCH /orders/{id}`],
  ['SAP-like ERP API', sap.baseUrl, `basic auth ${sap.username}; POST /sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder; 20 requests/s, every 9th answered 503`],
  ['planning API', planning.baseUrl, 'POST /cells (actuals-to-planning)'],
  ['US ERP API', usErp.baseUrl, 'POST /commitments (po-approved-to-erp)'],
  ['bank SFTP server', sftp ? `sftp://${sftp.username}@127.0.0.1:${sftp.port}` : 'not started',
    sftp ? `key authentication; statements/ holds the camt.053 samples (camt053-cash-entries), outbox/ takes pain.001 files (payments-pain001); files in ${sftp.root}` : `${SSHD} is missing (apt-get install -y openssh-server)`],
  ['RabbitMQ (the machine\'s)', RABBIT_URL.replace(/:[^:@/]*@/, ':***@'), events],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log('Ledgerflow demo systems — Ctrl-C stops them\n');
for (const [what, where, note] of rows) console.log(`  ${what.padEnd(width)}  ${where}\n  ${' '.repeat(width)}  ${note}`);
console.log('\nBind the connections of the dev environment (an admin\'s API token in $LF_TOKEN, `ledgerflow serve` on :8080):\n');
for (const [name, b] of Object.entries(bindings)) {
  console.log(`  curl -sf -X PUT -H "Authorization: Bearer $LF_TOKEN" -H 'content-type: application/json' localhost:8080/api/connections/dev/${name} \\\n    -d '${JSON.stringify(b)}'`);
}
console.log(`\nOr from the command line: the connections file ${file}, with\n  ${exports.join('\n  ')}\n  npx ledgerflow run flows/procure-to-pay/flow.json --connections ${file}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log(`\nstopping: ${procurement.writeBacks.size} document numbers written back, ${sap.created.length} SAP purchase orders (${sap.stats.throttled} requests throttled, ${sap.stats.unavailable} answered 503), ${planning.cells.size} planning cells, ${usErp.received()} US ERP requests`);
  // The SFTP server's folder (statements read, payment files written) is removed with it.
  await systems.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
