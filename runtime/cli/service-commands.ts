/** `serve`, `users add|list|disable` and `examples load`. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { generatePassword, hashPassword, passwordProblem } from '../auth/passwords.ts';
import { isRole, ROLES } from '../auth/roles.ts';
import { loadExamples } from '../api/bootstrap.ts';
import { createServiceRepos } from '../store/service-repos.ts';
import { CliError } from './cli-error.ts';
import type { CommandDefinition } from './commands.ts';
import { withStore } from './environment.ts';
import { table } from './format.ts';

function buildDesigner(ctx: { out(s: string): void }): void {
  const vite = createRequire(import.meta.url).resolve('vite/bin/vite.js');
  ctx.out('Building the designer (vite build) …');
  const result = spawnSync(process.execPath, [vite, 'build'], { stdio: 'inherit' });
  if (result.status !== 0) ctx.out('The designer build failed; the API still starts (see /api/docs).');
}

export const SERVICE_COMMANDS: Record<string, CommandDefinition> = {
  serve: {
    options: { port: { type: 'string' }, host: { type: 'string' }, 'build-if-missing': { type: 'boolean' }, 'no-examples': { type: 'boolean' } },
    async run(ctx) {
      if (ctx.values['build-if-missing'] && !existsSync(resolve('dist/designer/index.html'))) buildDesigner(ctx);
      // Loaded here: the server's modules (logger, metrics, HTTP) are not every command's start-up cost.
      const { startServer } = await import('../main.ts');
      const server = await startServer({
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
      return withStore(ctx.settings, async (store) => {
        const repos = createServiceRepos(store.sql);
        if (sub === 'list') {
          const users = await repos.users.listUsers();
          if (ctx.values.json) ctx.out(JSON.stringify(users, null, 2));
          else ctx.out(users.length ? table(['username', 'role', 'name', 'disabled', 'created'], users.map((u) => [u.username, u.role, u.displayName, u.disabled ? 'yes' : '', u.createdAt.slice(0, 19)])) : 'No users yet: `ledgerflow serve` creates the first admin.');
          return 0;
        }
        if (sub === 'add') {
          const role = ctx.values.role as string | undefined;
          if (!username || !isRole(role)) throw new CliError(`usage: ledgerflow users add <username> --role ${ROLES.join('|')} [--password <p>] [--name <display name>]`, 64);
          if (await repos.users.findByUsername(username)) throw new CliError(`a user named '${username}' already exists`, 2);
          const given = (ctx.values.password as string | undefined) ?? ctx.settings.userPassword;
          const password = given ?? generatePassword();
          const problem = passwordProblem(password);
          if (problem) throw new CliError(problem, 2);
          const user = await repos.users.createUser({ username, displayName: (ctx.values.name as string | undefined) ?? username, role, passwordHash: await hashPassword(password) });
          await repos.audit.append({ actor: 'cli', action: 'user.created', entity: 'user', entityId: user.id, after: { username, role, displayName: user.displayName } });
          ctx.out(`Created ${role} '${username}'${given ? '' : ` with password ${password} (shown once)`}.`);
          return 0;
        }
        if (sub === 'disable' || sub === 'enable') {
          if (!username) throw new CliError(`usage: ledgerflow users ${sub} <username>`, 64);
          const found = await repos.users.findByUsername(username);
          if (!found) throw new CliError(`there is no user '${username}'`, 2);
          const disabled = sub === 'disable';
          await repos.sql.transaction(async (tx) => {
            const updated = (await repos.users.updateUser(found.id, { disabled }, tx))!;
            if (disabled && found.role === 'admin' && (await repos.users.countActiveAdmins(tx)) === 0) throw new CliError(`'${username}' is the last active admin; make another user admin first`, 2);
            if (disabled) await repos.users.deleteSessionsOf(found.id, tx);
            await repos.audit.append({ actor: 'cli', action: disabled ? 'user.disabled' : 'user.updated', entity: 'user', entityId: found.id, before: { username, disabled: found.disabled }, after: { username, disabled: updated.disabled } }, tx);
          });
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
      return withStore(ctx.settings, async (store) => {
        const loaded = await loadExamples(store, { dir: (ctx.values.dir as string | undefined) ?? 'flows', environment, log: ctx.out });
        if (ctx.values.json) ctx.out(JSON.stringify(loaded, null, 2));
        else ctx.out(loaded.length ? table(['flow', 'version', 'note'], loaded.map((l) => [l.flowId, l.version ?? '', l.skipped ?? `deployed to ${environment}`])) : 'No example flows found.');
        return 0;
      });
    },
  },
};
