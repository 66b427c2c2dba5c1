/**
 * The CLI's manners: --help covers every command and option, mistakes print
 * one line and the usage (exit 64), unexpected errors one line without a stack
 * trace unless LEDGERFLOW_DEBUG=1, and cut lists say so.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../runtime/cli.ts';
import { COMMAND_NAMES, loadCommand } from '../../../runtime/cli/commands.ts';
import { COMMAND_USAGE, commandUsage, fullUsage } from '../../../runtime/cli/command-usage.ts';
import { cutNotice, limitOption } from '../../../runtime/cli/list-limit.ts';
import { CliError } from '../../../runtime/cli/cli-error.ts';

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((s) => { out.push(String(s)); });
  vi.spyOn(console, 'error').mockImplementation((s) => { err.push(String(s)); });
  const code = await main(args, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

afterEach(() => vi.restoreAllMocks());

describe('ledgerflow --help', () => {
  it('documents every command, and each command every option it accepts', async () => {
    expect(Object.keys(COMMAND_USAGE).sort()).toEqual([...COMMAND_NAMES].sort());
    const all = fullUsage();
    for (const name of COMMAND_NAMES) {
      const def = (await loadCommand(name))!;
      const usage = commandUsage(name);
      for (const [option, spec] of Object.entries(def.options)) {
        expect(usage, `${name} --${option}`).toContain(`--${option}`);
        expect(all, `${name} --${option}`).toContain(`--${option}`);
        if (spec.short) expect(usage).toContain(`-${spec.short}, --${option}`);
      }
    }
  });

  it('prints the whole usage for --help, -h, help and no command; a command\'s own for <command> --help', async () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.out).toContain('ledgerflow dlq discard <id>… --reason');
    }
    const r = await cli(['runs', '--help']);
    expect(r).toMatchObject({ code: 0, out: commandUsage('runs') });
    expect((await cli(['help', 'trace'])).out).toBe(commandUsage('trace'));
  });
});

describe('ledgerflow mistakes', () => {
  it('an unknown command or option: one line and the usage, exit 64', async () => {
    const command = await cli(['rnus']);
    expect(command.code).toBe(64);
    expect(command.err.split('\n')[0]).toBe("ledgerflow: there is no command 'rnus'");
    const option = await cli(['runs', '--lmit', '5']);
    expect(option.code).toBe(64);
    expect(option.err).toBe(`ledgerflow runs: there is no option '--lmit'\n\n${commandUsage('runs')}`);
    expect((await cli(['runs', '--limit'])).err.split('\n')[0]).toBe("ledgerflow runs: option '--limit' needs a value");
    expect((await cli(['nodes', '--json=yes'])).err.split('\n')[0]).toBe("ledgerflow nodes: option '--json' takes no value");
  });

  it('a missing argument: the command\'s usage, exit 64', async () => {
    const r = await cli(['trace']);
    expect(r.code).toBe(64);
    expect(r.err).toContain(commandUsage('trace'));
  });

  it('an unexpected error: one line without a stack trace, unless LEDGERFLOW_DEBUG=1', async () => {
    const quiet = await cli(['validate', '/nonexistent/flow.json']);
    expect(quiet.code).toBe(2);
    expect(quiet.err.split('\n')).toHaveLength(1);
    expect(quiet.err).toMatch(/^ledgerflow validate: .*\/nonexistent\/flow\.json.*\(LEDGERFLOW_DEBUG=1 shows where\)$/);
    const debug = await cli(['validate', '/nonexistent/flow.json'], { LEDGERFLOW_DEBUG: '1' });
    expect(debug.code).toBe(2);
    expect(debug.err).toMatch(/\n\s+at /);
  });
});

describe('--limit and cut lists', () => {
  it('--limit takes a whole number from 1 to 1000', () => {
    expect(limitOption(undefined, 20)).toBe(20);
    expect(limitOption('5', 20)).toBe(5);
    for (const bad of ['0', '-1', '2.5', 'abc', '1001', true]) expect(() => limitOption(bad, 20)).toThrow(CliError);
  });

  it('says how many there are when the list was cut', async () => {
    const pages = (total: number) => async ({ limit, cursor }: { limit: number; cursor?: string }) => {
      const from = Number(cursor ?? 0);
      const items = Array.from({ length: Math.max(0, Math.min(limit, total - from)) }, (_, i) => from + i);
      return { items, nextCursor: from + items.length < total ? String(from + items.length) : null };
    };
    const first = await pages(1088)({ limit: 50 });
    expect(await cutNotice(first, pages(1088), '--flow to narrow')).toBe('showing 50 of 1,088; --limit to see more');
    expect(await cutNotice(await pages(50)({ limit: 50 }), pages(50), '')).toBeNull();
    expect(await cutNotice(await pages(5000)({ limit: 1000 }), pages(5000), '--flow to narrow')).toBe('showing 1,000 of 5,000; --flow to narrow');
    expect(await cutNotice(await pages(50_000)({ limit: 20 }), pages(50_000), '')).toBe('showing 20 of more than 10,020; --limit to see more');
  });
});
