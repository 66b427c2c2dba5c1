/** `serve`, `users add|list|disable` and `examples load`. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createUser, updateUser } from '../app/users.ts';
import { generatePassword } from '../auth/passwords.ts';
import { isRole, ROLES } from '../auth/roles.ts';
import { buildDesigner } from '../designer-build.ts';
import { CliError } from './cli-error.ts';
import type { CommandDefinition } from './commands.ts';
import { openConfiguredDatabase, withDatabase } from './store-env.ts';
import { table } from './format.ts';

async function buildDesignerIfMissing(ctx: { out(s: string): void; err(s: string): void }): Promise<void> {
  if (existsSync(resolve('dist/designer/index.html'))) return;
  ctx.out('Building the designer (vite build) …');
  try {
    await buildDesigner();
  } catch (err) {
    ctx.err(`The designer build failed (${(err as Error).message.split('\n')[0]}); the API still starts (see /api/docs).`);
  }
}

export const SERVICE_COMMANDS: Record<string, CommandDefinition> = {
  serve: {
    options: { port: { type: 'string' }, host: { type: 'string' }, 'build-if-missing': { type: 'boolean' }, 'no-examples': { type: 'boolean' } },
    async run(ctx) {
      if (ctx.values['build-if-missing']) await buildDesignerIfMissing(ctx);
      // The embedded database takes a second of its own process's CPU to open: let it open while
      // this process loads the server's modules (main.ts and what it imports — logger, metrics, HTTP — load only here).
      const opening = openConfiguredDatabase(ctx.settings);
      let startServer;
      try {
        ({ startServer } = await import('../main.ts'));
      } catch (err) {
        await (await opening).close();
        throw err;
      }
      const server = await startServer({
        database: await opening,
        settings: ctx.settings, port: ctx.values.port !== undefined ? Number(ctx.values.port) : undefined, host: ctx.values.host as string | undefined,
        examples: ctx.values['no-examples'] ? false : undefined, out: ctx.out,
      });
      await new Promise<void>((done) => {
        const stop = () => {
          ctx.out('Stopping …');
          server.close().finally(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    },
  },

  users: {
    options: { role: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } },
    async run(ctx) {
      const [sub, username] = ctx.positionals;
      return withDatabase(ctx.settings, async (database) => {
        const repos = database.service;
        if (sub === 'list') {
          const users = await repos.users.listUsers();
          if (ctx.values.json) ctx.out(JSON.stringify(users, null, 2));
          else ctx.out(users.length ? table(['username', 'role', 'name', 'disabled', 'created'], users.map((u) => [u.username, u.role, u.displayName, u.disabled ? 'yes' : '', u.createdAt.slice(0, 19)])) : 'No users yet: `ledgerflow serve` creates the first admin.');
          return 0;
        }
        if (sub === 'add') {
          const role = ctx.values.role as string | undefined;
          if (!username || !isRole(role)) throw new CliError(`usage: ledgerflow users add <username> --role ${ROLES.join('|')} [--password <p>] [--name <display name>]`, 64);
          const given = (ctx.values.password as string | undefined) ?? ctx.settings.userPassword;
          const password = given ?? generatePassword();
          await createUser({ repos }, 'cli', { username, password, role, displayName: ctx.values.name as string | undefined });
          ctx.out(`Created ${role} '${username}'${given ? '' : ` with password ${password} (shown once)`}.`);
          return 0;
        }
        if (sub === 'disable' || sub === 'enable') {
          if (!username) throw new CliError(`usage: ledgerflow users ${sub} <username>`, 64);
          const found = await repos.users.findByUsername(username);
          if (!found) throw new CliError(`there is no user '${username}'`, 2);
          const disabled = sub === 'disable';
          await updateUser({ repos }, 'cli', found.id, { disabled });
          ctx.out(`${disabled ? 'Disabled' : 'Enabled'} '${username}'.`);
          return 0;
        }
        throw new CliError('usage: ledgerflow users add <username> --role <role> | users list | users disable <username> | users enable <username>', 64);
      });
    },
  },

  examples: {
    options: { dir: { type: 'string' }, json: { type: 'boolean' } },
    async run(ctx) {
      if (ctx.positionals[0] !== 'load') throw new CliError('usage: ledgerflow examples load [--dir flows]', 64);
      const environment = ctx.settings.environments[0].name;
      const { loadExamples } = await import('../app/bootstrap.ts');
      return withDatabase(ctx.settings, async (database) => {
        const loaded = await loadExamples(database, { evaluators: ctx.evaluators, dir: (ctx.values.dir as string | undefined) ?? 'flows', environment, log: ctx.out });
        if (ctx.values.json) ctx.out(JSON.stringify(loaded, null, 2));
        else ctx.out(loaded.length ? table(['flow', 'version', 'note'], loaded.map((l) => [l.flowId, l.version ?? '', l.skipped ?? `deployed to ${environment}`])) : 'No example flows found.');
        return 0;
      });
    },
  },
};
