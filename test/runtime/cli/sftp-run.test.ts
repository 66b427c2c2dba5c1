/**
 * `ledgerflow run` with the SFTP connectors against a real OpenSSH server,
 * the private key bound from the environment through the connections file:
 * camt.053 statements picked up one file a run (the next run archives it,
 * none is read twice), pain.001 payment files written from approved AP
 * invoices (from a real Postgres when TEST_DATABASE_URL is set, else from the
 * flow's sample rows), and a wrong key failing the run with the connection
 * named and no secret in the message.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli-capture.ts';
import { startSftpServer, type SftpTestServer } from '../connectors/sftp-server.ts';
import { pain001v09Problems } from '../../nodes/formats/document-rules.ts';

const FLOWS = resolve(import.meta.dirname, '../../../flows');
const REAL = new URL('../../../../shared/data/real/iso20022/', import.meta.url);
let server: SftpTestServer;
let data: string;

beforeAll(async () => {
  server = await startSftpServer();
  data = await mkdtemp(join(tmpdir(), 'lf-sftp-run-'));
  process.env.LEDGERFLOW_DATA = join(data, 'store');
  process.env.LEDGERFLOW_OUT = join(data, 'out');
  process.env.BANK_SFTP_KEY = server.privateKey;
  process.env.OTHER_SFTP_KEY = server.otherPrivateKey;
  delete process.env.DATABASE_URL;
}, 60_000);
afterAll(async () => {
  delete process.env.BANK_SFTP_KEY;
  delete process.env.OTHER_SFTP_KEY;
  await server?.stop();
  await rm(data, { recursive: true, force: true });
});

async function connectionsFile(name: string, over: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(data, name);
  await writeFile(path, JSON.stringify({
    bank: { kind: 'sftp', host: '127.0.0.1', port: server.port, username: server.username, privateKey: '$env:BANK_SFTP_KEY', hostKey: server.hostKey, ...over },
    ...extra,
  }));
  return path;
}

const run = async (...args: string[]) => {
  const r = await cli('run', ...args, '--json');
  return { ...r, summary: r.out ? JSON.parse(r.out) : undefined };
};

describe('ledgerflow run with SFTP (real OpenSSH server)', { timeout: 600_000 }, () => {
  it('camt.053 statements: one file a run, archived by the next, never read twice', async () => {
    await mkdir(join(server.root, 'statements'));
    for (const [file, time] of [['camt053-v02-de-vrbank-4-entries.xml', 1_700_000_000], ['camt053-v04-ch-postfinance-13-entries-batches.xml', 1_700_000_100]] as const) {
      await copyFile(new URL(file, REAL), join(server.root, 'statements', file));
      await utimes(join(server.root, 'statements', file), time, time);
    }
    const conns = await connectionsFile('connections.json');
    const flow = join(FLOWS, 'camt053-cash-entries/flow.json');
    const first = await run(flow, '--connections', conns);
    expect(first.summary).toMatchObject({ status: 'succeeded', counts: { read: 1, deadLettered: 0 } });
    const second = await run(flow, '--connections', conns);
    expect(second.summary).toMatchObject({ status: 'succeeded', counts: { read: 1 } });
    expect(await readdir(join(server.root, 'statements'))).toEqual(['archive', 'camt053-v04-ch-postfinance-13-entries-batches.xml']);
    const third = await run(flow, '--connections', conns);
    expect(third.summary).toMatchObject({ counts: { read: 0 } });
    expect((await readdir(join(server.root, 'statements/archive'))).sort()).toEqual(['camt053-v02-de-vrbank-4-entries.xml', 'camt053-v04-ch-postfinance-13-entries-batches.xml']);
    expect(await readdir(join(server.root, 'statements'))).toEqual(['archive']);
  });

  it('a wrong key fails the run naming the connection, with no secret in the message', async () => {
    await mkdir(join(server.root, 'statements'), { recursive: true });
    await copyFile(new URL('camt053-v02-fi-fffs-sample-10-entries.xml', REAL), join(server.root, 'statements', 'fi.xml'));
    const failed = await run(join(FLOWS, 'camt053-cash-entries/flow.json'), '--connections', await connectionsFile('wrong-key.json', { privateKey: '$env:OTHER_SFTP_KEY' }));
    expect(failed.code).not.toBe(0);
    expect(failed.summary.status).toBe('failed');
    expect(failed.summary.error.message).toMatch(/^connection 'bank' \(sftp .*@127\.0\.0\.1:\d+\): signing in failed: the server refused the key/);
    for (const key of [server.privateKey, server.otherPrivateKey]) {
      for (const line of key.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(JSON.stringify(failed)).not.toContain(line.slice(0, 24));
    }
    // Nothing was read or moved.
    expect(await readdir(join(server.root, 'statements'))).toContain('fi.xml');
  });

  it('approved AP invoices become a pain.001 file on the server, written whole under its name', async () => {
    const flow = join(FLOWS, 'payments-pain001/flow.json');
    let database: string | undefined;
    const admin = process.env.TEST_DATABASE_URL;
    let extra: Record<string, unknown> = {};
    if (admin) {
      // The AP database is a real Postgres: approved invoices in, a payment run out.
      database = `lf_sftp_payments_${process.pid}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`drop database if exists ${database}`);
      await client.query(`create database ${database}`);
      await client.end();
      const url = new URL(admin);
      url.pathname = `/${database}`;
      const ap = new pg.Client({ connectionString: url.href });
      await ap.connect();
      await ap.query(await readFile(join(FLOWS, 'payments-pain001/setup.sql'), 'utf8'));
      const [{ payments }] = JSON.parse(await readFile(join(FLOWS, 'payments-pain001/samples/approved-invoices-2026-12-01.json'), 'utf8'));
      for (const [i, p] of payments.entries()) {
        await ap.query(
          'insert into ap_approved_invoice values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
          [`VAT${i}`, p.invoiceNumber, p.supplierName, p.supplierIban, p.supplierBic, p.currency, p.amount, p.executionDate, p.debtorName, p.debtorIban, p.debtorBic, '2026-12-01T17:00:00Z'],
        );
      }
      await ap.end();
      extra = { ap: { kind: 'postgres', url: url.href } };
    }
    try {
      const conns = await connectionsFile('payments.json', {}, extra);
      const args = admin ? [flow, '--connections', conns] : [flow, '--connections', conns, '--input', join(FLOWS, 'payments-pain001/samples/approved-invoices-2026-12-01.json')];
      const result = await run(...args);
      expect(result.summary).toMatchObject({ status: 'succeeded', counts: { read: 1, delivered: 1 } });
      expect(result.summary.reconciliation.totals.delivered).toEqual({ EUR: '29155.95' });
      expect(await readdir(join(server.root, 'outbox'))).toEqual(['pain001-PAY-20261201-170000.xml']);
      const xml = await readFile(join(server.root, 'outbox/pain001-PAY-20261201-170000.xml'), 'utf8');
      expect(pain001v09Problems(xml)).toEqual([]);
      expect(xml).toContain('<CtrlSum>29155.95</CtrlSum>');
      if (admin) {
        // The watermark moved: the next run finds no newly approved invoices and writes nothing.
        const again = await run(...args);
        expect(again.summary).toMatchObject({ status: 'succeeded', counts: { read: 0 } });
      }
    } finally {
      if (database) {
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        await client.query(`drop database if exists ${database} with (force)`);
        await client.end();
      }
    }
  });
});
