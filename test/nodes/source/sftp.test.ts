/**
 * source.sftp against a real OpenSSH server: one new file a run, oldest
 * first; files done by a successful run (its watermark committed) are moved
 * away by the next run and never read again; a failed run's file is read
 * again; a file still growing waits until two looks agree.
 */
import { copyFile, mkdir, readdir, utimes, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sftpSource, type SftpSourceConfig } from '../../../nodes/source/sftp.ts';
import { createConnectionResolver } from '../../../runtime/connectors/connection-registry.ts';
import { sftpServerForFile, type SftpTestServer } from '../../runtime/connectors/sftp-server.ts';
import { setupContext } from '../target/target-test-context.ts';

const REAL = new URL('../../../../shared/data/real/iso20022/', import.meta.url);
const DE = 'camt053-v02-de-vrbank-4-entries.xml';
const FI = 'camt053-v02-fi-fffs-sample-10-entries.xml';

const sftp = sftpServerForFile();
let server: SftpTestServer;
let dirNo = 0;
let dir: string;
beforeAll(() => {
  server = sftp();
});
beforeEach(async () => {
  dir = `inbox${++dirNo}`;
  await mkdir(join(server.root, dir));
});

const connections = () => createConnectionResolver({
  bank: { kind: 'sftp', host: '127.0.0.1', port: server.port, username: server.username, privateKey: server.privateKey, hostKey: server.hostKey },
});

/** Drops a real statement into the inbox with the given modification time (seconds). */
async function drop(file: string, as: string, mtime: number): Promise<void> {
  await copyFile(new URL(file, REAL), join(server.root, dir, as));
  await utimes(join(server.root, dir, as), mtime, mtime);
}

interface RunResult { records: { Stmt: { Id: string } }[]; watermark?: string }

/** One run of the source: its records and the watermark it proposed (committed by the caller when the run succeeds). */
async function runOnce(over: Partial<SftpSourceConfig>, watermark?: string, sleep?: (ms: number) => Promise<void>): Promise<RunResult> {
  const source = sftpSource.create({
    ...sftpSource.defaults, connection: 'bank', directory: dir, pattern: '*.xml', stableForMs: 10,
    parse: { format: 'xml', xml: { recordElement: 'Document/BkToCstmrStmt/Stmt', repeat: ['Ntry'] } }, ...over,
  }, setupContext('statements'));
  const result: RunResult = { records: [] };
  const conns = connections();
  try {
    for await (const r of source.read({
      connections: conns, watermark, proposeWatermark: (v) => { result.watermark = v; }, signal: new AbortController().signal,
      sleep: sleep ? (ms) => sleep(ms) : undefined,
    })) result.records.push(r as RunResult['records'][number]);
  } finally {
    await conns.close();
  }
  return result;
}

const ls = async (sub = '') => (await readdir(join(server.root, dir, sub))).sort();

describe('source.sftp (real OpenSSH server)', { timeout: 180_000 }, () => {
  it('reads one file a run, oldest first; the next run archives it and reads the next; never twice', async () => {
    await drop(FI, 'b-statement.xml', 1_700_000_100);
    await drop(DE, 'a-statement.xml', 1_700_000_200);
    await writeFile(join(server.root, dir, 'notes.txt'), 'not a statement');

    const first = await runOnce({});
    expect(first.records.map((r) => r.Stmt.Id)).toEqual(['BANKSTMTID0972009']);
    expect(JSON.parse(first.watermark!).last).toBe('b-statement.xml');
    expect(await ls()).toEqual(['a-statement.xml', 'b-statement.xml', 'notes.txt']);

    const second = await runOnce({}, first.watermark);
    expect(second.records.map((r) => r.Stmt.Id)).toEqual(['0352C5320131227220503']);
    expect(JSON.parse(second.watermark!).last).toBe('a-statement.xml');
    expect(await ls()).toEqual(['a-statement.xml', 'archive', 'notes.txt']);
    expect(await ls('archive')).toEqual(['b-statement.xml']);

    const third = await runOnce({}, second.watermark);
    expect(third.records).toEqual([]);
    expect(third.watermark).toBeUndefined();
    expect(await ls()).toEqual(['archive', 'notes.txt']);
    expect(await ls('archive')).toEqual(['a-statement.xml', 'b-statement.xml']);
  });

  it('a run that failed (watermark not committed) leaves its file to be read again', async () => {
    await drop(DE, 'st.xml', 1_700_000_000);
    const failed = await runOnce({});
    expect(failed.records).toHaveLength(1);
    // The run failed downstream: the runtime does not commit `failed.watermark`.
    const retried = await runOnce({});
    expect(retried.records).toHaveLength(1);
    expect(retried.watermark).toBe(failed.watermark);
    await runOnce({}, retried.watermark);
    expect(await ls()).toEqual(['archive']);
  });

  it('a file still being written is skipped until its size stays the same between two looks', async () => {
    const text = await (await import('node:fs/promises')).readFile(new URL(DE, REAL), 'utf8');
    const half = text.slice(0, 400);
    await writeFile(join(server.root, dir, 'growing.xml'), half);
    // Between the two looks, the sender writes more: the file is not read.
    const writing = await runOnce({}, undefined, async () => {
      await appendFile(join(server.root, dir, 'growing.xml'), text.slice(400, 800));
    });
    expect(writing.records).toEqual([]);
    expect(writing.watermark).toBeUndefined();
    // The sender finished; two looks agree: the whole statement is read.
    await writeFile(join(server.root, dir, 'growing.xml'), text);
    const stable = await runOnce({});
    expect(stable.records.map((r) => r.Stmt.Id)).toEqual(['0352C5320131227220503']);
  });

  it('rename marks done files with the suffix; keep leaves them and never reads them again', async () => {
    await drop(DE, 'one.xml', 1_700_000_000);
    const read = await runOnce({ afterRead: 'rename' });
    await runOnce({ afterRead: 'rename' }, read.watermark);
    expect(await ls()).toEqual(['one.xml.done']);

    await drop(FI, 'two.xml', 1_700_000_100);
    const kept = await runOnce({ afterRead: 'keep' }, read.watermark);
    expect(kept.records).toHaveLength(1);
    const again = await runOnce({ afterRead: 'keep' }, kept.watermark);
    expect(again.records).toEqual([]);
    expect(await ls()).toEqual(['one.xml.done', 'two.xml']);
    // A file of the same name written anew (other size or time) is a new file.
    await drop(DE, 'two.xml', 1_700_000_500);
    expect((await runOnce({ afterRead: 'keep' }, kept.watermark)).records).toHaveLength(1);
  });

  it('an upload or --input is read as the file, without the server (the designer preview)', async () => {
    const source = sftpSource.create({ ...sftpSource.defaults, connection: 'bank', parse: { format: 'xml', xml: { recordElement: 'Document/BkToCstmrStmt/Stmt', repeat: [] } } }, setupContext('s'));
    const bytes = new Uint8Array(await (await import('node:fs/promises')).readFile(new URL(DE, REAL)));
    const out: unknown[] = [];
    for await (const r of source.read({ input: { name: DE, async *chunks() { yield bytes; } }, connections: { sql: () => { throw new Error(); }, http: () => { throw new Error(); } }, proposeWatermark: () => {}, signal: new AbortController().signal })) out.push(r);
    expect(out).toHaveLength(1);
  });
});
