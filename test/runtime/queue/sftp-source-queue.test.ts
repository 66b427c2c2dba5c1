/**
 * A queued run (as the server and its workers run them) of a flow picking up
 * bank statements from a real OpenSSH server: the SFTP connection and its
 * private key (a secret, encrypted at rest) are bound per environment from
 * the store; the split job reads one file a run from the environment's
 * watermark, which moves only when the run succeeds, and the next run
 * archives the file. A wrong key fails the run naming the connection.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { createEnvironmentConnections, secretContext } from '../../../runtime/connectors/environment-connections.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { sftpServerForFile, type SftpTestServer } from '../connectors/sftp-server.ts';
import { TEST_TUNING, backendNames, countTarget, openBackend, waitForRun, type OpenedBackend } from './queue-fixtures.ts';

const REAL = new URL('../../../../shared/data/real/iso20022/', import.meta.url);

const flow: FlowDocument = {
  id: 'statements-sftp-queue', name: 'Statements from SFTP (queued)', recordKey: 'Stmt.Id', businessKey: 'Stmt.Id',
  connections: { bank: { kind: 'sftp' }, db: { kind: 'postgres' } },
  nodes: [
    {
      id: 'statements', type: 'source.sftp', typeVersion: 1, position: { x: 0, y: 0 },
      config: { connection: 'bank', directory: 'in', pattern: '*.xml', stableForMs: 0, parse: { format: 'xml', xml: { recordElement: 'Document/BkToCstmrStmt/Stmt' } } },
    },
    {
      id: 'rows', type: 'target.postgres', typeVersion: 1, position: { x: 300, y: 0 },
      config: { connection: 'db', table: 'q_statements', mode: 'upsert', keyColumns: ['id'], columns: { id: 'Stmt.Id' }, batchSize: 100, idempotencyKey: 'Stmt.Id' },
    },
  ],
  edges: [{ id: 'e1', source: 'statements', target: 'rows' }],
};

const sftp = sftpServerForFile();
let server: SftpTestServer;
beforeAll(() => {
  server = sftp();
});

for (const backend of backendNames()) {
  describe(`SFTP source through the queue on ${backend}`, { timeout: 300_000 }, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;
    let box: ReturnType<typeof createSecretBox>;
    const dir = `in-${backend}`;

    const bind = (key: string) => connectionsRepo(b.store.sql).putConnection({
      environment: 'dev', name: 'bank', kind: 'sftp', updatedBy: 'admin',
      settings: { host: '127.0.0.1', port: server.port, username: server.username, privateKey: '{{secret:key}}', hostKey: server.hostKey },
      encryptedSecrets: { key: box.encrypt(key, secretContext('dev', 'bank', 'key')) },
    });

    beforeEach(async () => {
      b = await openBackend(backend);
      box = createSecretBox(randomBytes(32));
      await bind(server.privateKey);
      await connectionsRepo(b.store.sql).putConnection({ environment: 'dev', name: 'db', kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'admin' });
      await targetDatabase(b.database, 'db').query('create table if not exists q_statements (id text primary key)');
      const doc = { ...flow, nodes: flow.nodes.map((n) => (n.id === 'statements' ? { ...n, config: { ...n.config, directory: dir } } : n)) };
      await b.store.saveDraft(doc, 'tester');
      await b.store.saveVersion(flow.id, doc, 'tester', 'first');
      await mkdir(join(server.root, dir), { recursive: true });
      const environments = createEnvironmentConnections({ database: b.database, secrets: box });
      queue = await startQueue({ database: b.database, tuning: TEST_TUNING, connectionsFor: (env, d) => environments.connectionsFor(env, d) });
    });

    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
      await b.cleanup();
    });

    const enqueue = async () => {
      const queued = await queue!.launcher.enqueue({ flowId: flow.id, version: 1, environment: 'dev', trigger: 'poll', input: { kind: 'source' }, requestedBy: 'tester' });
      return waitForRun(b.store, queued.id);
    };

    it('one file a run, archived by the next run, never read twice; a wrong key fails naming the connection, the file left', async () => {
      for (const [file, time] of [['camt053-v02-de-vrbank-4-entries.xml', 1_700_000_000], ['camt053-v02-fi-fffs-sample-10-entries.xml', 1_700_000_100]] as const) {
        await copyFile(new URL(file, REAL), join(server.root, dir, file));
        await utimes(join(server.root, dir, file), time, time);
      }
      const first = await enqueue();
      expect(first).toMatchObject({ status: 'succeeded', counts: { read: 1, delivered: 1 } });
      expect(JSON.parse((await b.store.getWatermark(flow.id, 'statements', 'dev'))!).last).toBe('camt053-v02-de-vrbank-4-entries.xml');
      const second = await enqueue();
      expect(second).toMatchObject({ status: 'succeeded', counts: { read: 1, delivered: 1 } });
      const third = await enqueue();
      expect(third).toMatchObject({ status: 'succeeded', counts: { read: 0 } });
      expect(await readdir(join(server.root, dir))).toEqual(['archive']);
      expect((await readdir(join(server.root, dir, 'archive'))).sort()).toEqual(['camt053-v02-de-vrbank-4-entries.xml', 'camt053-v02-fi-fffs-sample-10-entries.xml']);
      expect(await countTarget(b.database, 'select count(*) as n from q_statements')).toBe(2);

      // The key bound in dev is replaced by one the server does not accept (a fresh worker binds it).
      await copyFile(new URL('camt053-v04-ch-postfinance-13-entries-batches.xml', REAL), join(server.root, dir, 'ch.xml'));
      await bind(server.otherPrivateKey);
      await queue!.stop();
      const environments = createEnvironmentConnections({ database: b.database, secrets: box });
      queue = await startQueue({ database: b.database, tuning: TEST_TUNING, connectionsFor: (env, d) => environments.connectionsFor(env, d) });
      const refused = await enqueue();
      expect(refused.status).toBe('failed');
      expect(refused.error?.message).toMatch(/^connection 'bank' \(sftp .*\): signing in failed: the server refused the key/);
      expect(JSON.stringify(refused)).not.toContain(server.otherPrivateKey.split('\n')[1].slice(0, 24));
      expect(JSON.stringify(refused)).not.toContain(server.privateKey.split('\n')[1].slice(0, 24));
      expect((await readdir(join(server.root, dir))).sort()).toEqual(['archive', 'ch.xml']);
    });
  });
}
