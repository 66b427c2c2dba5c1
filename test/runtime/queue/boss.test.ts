/**
 * pg-boss 10 on the embedded database: it installs its tables through the
 * PGlite adapter, and refuses tables a newer pg-boss made instead of half
 * working on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bossSchemaFor, openBoss } from '../../../runtime/queue/boss.ts';
import { QUEUE_NAMES, tuningOf } from '../../../runtime/queue/queue-options.ts';
import { openBackend, type OpenedBackend } from './queue-fixtures.ts';

describe('pg-boss on PGlite', () => {
  let b: OpenedBackend;
  beforeAll(async () => { b = await openBackend('pglite'); });
  afterAll(async () => { await b?.cleanup(); });

  it('installs its tables and queues, then refuses tables of a newer pg-boss, saying what to do', async () => {
    const boss = await openBoss(b.database, { tuning: tuningOf(), supervise: false });
    expect((await boss.getQueue(QUEUE_NAMES.chunk))?.deadLetter).toBe(QUEUE_NAMES.chunkFailed);
    await boss.stop({ graceful: false });
    const schema = bossSchemaFor(b.database);
    await b.store.sql.query(`update ${schema}.version set version = 43`);
    await expect(openBoss(b.database, { tuning: tuningOf(), supervise: false }))
      .rejects.toThrow(/newer pg-boss \(table version 43; this Ledgerflow reads 24\).*drop schema pgboss cascade/);
  });
});
