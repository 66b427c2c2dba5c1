/**
 * `ledgerflow users` is a thin adapter over the use cases of runtime/app/users.ts:
 * the API's rules and audit entries hold from the command line too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../../../runtime/store/open-store.ts';
import { createServiceRepos } from '../../../runtime/store/service-repos.ts';
import { cli } from './cli-capture.ts';

let data: string;

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'lf-cli-users-'));
  process.env.LEDGERFLOW_DATA = data;
  delete process.env.DATABASE_URL;
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

describe('ledgerflow users', { timeout: 400_000 }, () => {
  it('adds and disables users under the API\'s rules, each change in the audit log as done by the CLI', async () => {
    expect(await cli('users', 'add', 'root', '--role', 'admin', '--password', 'correct horse battery')).toMatchObject({ code: 0, out: "Created admin 'root'." });
    const weak = await cli('users', 'add', 'ann', '--role', 'analyst', '--password', 'short');
    expect(weak.code).toBe(2);
    expect(weak.err).toMatch(/^ledgerflow users: password: /);
    const badName = await cli('users', 'add', 'ann smith', '--role', 'analyst', '--password', 'correct horse battery');
    expect(badName.code).toBe(2);
    expect(badName.err).toContain('username: use letters, digits');
    const taken = await cli('users', 'add', 'root', '--role', 'analyst', '--password', 'correct horse battery');
    expect(taken).toMatchObject({ code: 2, err: "ledgerflow users: A user named 'root' already exists." });
    const lastAdmin = await cli('users', 'disable', 'root');
    expect(lastAdmin).toMatchObject({ code: 2, err: 'ledgerflow users: This would leave no active admin; make another user admin first.' });
    expect(await cli('users', 'add', 'ann', '--role', 'analyst', '--password', 'correct horse battery')).toMatchObject({ code: 0 });
    expect(await cli('users', 'disable', 'ann')).toMatchObject({ code: 0, out: "Disabled 'ann'." });

    const store = await openPgliteStore({ dataDir: join(data, 'pgdata') });
    try {
      const { audit, users } = createServiceRepos(store.sql);
      expect((await users.findByUsername('root'))?.disabled).toBe(false);
      const entries = (await audit.list({ entity: 'user' }, { limit: 10 })).items.reverse();
      expect(entries.map((e) => [e.actor, e.action])).toEqual([['cli', 'user.created'], ['cli', 'user.created'], ['cli', 'user.disabled']]);
      expect(JSON.stringify(entries)).not.toContain('scrypt');
    } finally {
      await store.close();
    }
  });
});
