/**
 * The `ledgerflow` CLI end to end on an embedded store in a temp folder:
 * exit codes, JSON output, traces, business-key search, replay.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli-capture.ts';
import { openDatabase } from '../../../runtime/store/open-store.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const UBL_FLOW = join(ROOT, 'flows/ubl-invoice-to-ap/flow.json');
const UBL = (f: string) => join(ROOT, 'flows/ubl-invoice-to-ap/samples', f);
let data: string;


beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'lf-cli-'));
  process.env.LEDGERFLOW_DATA = data;
  process.env.LEDGERFLOW_OUT = join(data, 'out');
  delete process.env.DATABASE_URL;
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

// Each command opens the store and, for a run, the `ap` connection's own embedded database (the
// first run creates its data folder): two database processes to start per command.
const COMMAND_TIMEOUT = { timeout: 120_000 };

describe('ledgerflow CLI', COMMAND_TIMEOUT, () => {
  it('validate: exit 0 for a valid flow, 1 listing every problem otherwise', async () => {
    expect((await cli('validate', UBL_FLOW)).code).toBe(0);
    const doc = JSON.parse(await readFile(UBL_FLOW, 'utf8'));
    doc.nodes[1].config.expression = '{ "a": $x + }';
    doc.nodes[3].config.idempotencyKey = '';
    doc.edges.push({ id: 'loose', source: 'check-invoice', target: 'nowhere' });
    const bad = join(data, 'bad-flow.json');
    await writeFile(bad, JSON.stringify(doc));
    const r = await cli('validate', bad, '--json');
    expect(r.code).toBe(1);
    const { problems } = JSON.parse(r.out);
    expect(problems.map((p: { code: string }) => p.code).sort()).toEqual(['dangling-edge', 'expression-syntax', 'missing-idempotency-key']);
    const syntax = problems.find((p: { code: string }) => p.code === 'expression-syntax');
    expect(syntax).toMatchObject({ nodeId: 'to-ap-invoice', path: '/nodes/1/config/expression' });
    expect(typeof syntax.position).toBe('number');
    // An invalid flow is never run.
    const run = await cli('run', bad, '--input', UBL('ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml'));
    expect(run.code).toBe(2);
    expect(run.err).toContain('The flow was not run');
  });

  it('run: exit 0 when everything is delivered, with the JSON summary', async () => {
    const r = await cli('run', UBL_FLOW, '--input', UBL('ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml'), '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ status: 'succeeded', counts: { read: 1, delivered: 1, quarantined: 0, deadLettered: 0, duplicate: 0 } });
    expect(summary.runId).toMatch(/^run_/);
    expect(summary.reconciliation).toMatchObject({ closes: true, totals: { read: { EUR: '250.33' }, delivered: { EUR: '250.33' } } });
  });

  it('run twice: the second run posts nothing and counts a duplicate', async () => {
    const r = await cli('run', UBL_FLOW, '--input', UBL('ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).counts).toMatchObject({ read: 1, delivered: 0, duplicate: 1 });
    // Two runs now: a list of one says it was cut.
    const runs = await cli('runs', '--limit', '1');
    expect(runs.out.split('\n').at(-1)).toBe('showing 1 of 2; --limit to see more');
    expect((await cli('runs', '--limit', '2')).out).not.toContain('showing');
  });

  it('run: exit 3 with exceptions; trace shows the failed rules; replay after a fix delivers it once', async () => {
    const r = await cli('run', UBL_FLOW, '--input', UBL('ubl-invoice-en16931-vat-outside-scope-sek.xml'), '--json');
    expect(r.code).toBe(3);
    const { runId } = JSON.parse(r.out);
    const trace = await cli('trace', runId, '--record', 'INVOICE_test_7', '--json');
    const t = JSON.parse(trace.out);
    expect(t).toMatchObject({ outcome: 'quarantined', endNode: 'check-invoice', businessKey: 'INVOICE_test_7' });
    expect(t.failures.map((f: { rule: string }) => f.rule)).toEqual(['supplier-identified', 'supplier-known']);

    // The analyst's fix: suppliers without a VAT id are matched by name.
    const dir = join(data, 'fixed');
    await cp(join(ROOT, 'flows/ubl-invoice-to-ap'), dir, { recursive: true });
    const fixed = JSON.parse(await readFile(join(dir, 'flow.json'), 'utf8'));
    fixed.nodes[1].config.expression = fixed.nodes[1].config.expression.replace('"vatId": $vatIdOf($seller),', '"vatId": $vatIdOf($seller) ? $vatIdOf($seller) : "NAME:" & $seller.PartyLegalEntity.RegistrationName,');
    await writeFile(join(dir, 'flow.json'), JSON.stringify(fixed, null, 2));
    await writeFile(join(dir, 'reference/suppliers.csv'), `${await readFile(join(dir, 'reference/suppliers.csv'), 'utf8')}NAME:The Sellercompany Incorporated,The Sellercompany Incorporated,S-10008,SE\n`);

    const replay = await cli('replay', runId, '--flow', join(dir, 'flow.json'), '--json');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out)).toMatchObject({ status: 'succeeded', version: 2, counts: { read: 1, delivered: 1 } });
    // Nothing left to replay; and the AP ledger holds the invoice once.
    expect((await cli('replay', runId, '--flow', join(dir, 'flow.json'))).code).toBe(2);
    const found = JSON.parse((await cli('find', 'INVOICE_test_7', '--json')).out);
    expect(found.items.map((i: { outcome: string }) => i.outcome).sort()).toEqual(['delivered', 'quarantined']);
  });

  it('run: a malformed file fails the run with file and line, exit 2, stored as failed', async () => {
    const broken = join(data, 'broken-invoice.xml');
    const xml = await readFile(UBL('ubl-invoice-en16931-20-lines-two-vat-rates-eur.xml'), 'utf8');
    await writeFile(broken, xml.slice(0, 3000));
    const r = await cli('run', UBL_FLOW, '--input', broken, '--json');
    expect(r.code).toBe(2);
    const summary = JSON.parse(r.out);
    expect(summary.status).toBe('failed');
    expect(summary.error.message).toMatch(/^broken-invoice\.xml line \d+, column \d+: /);
    const runs = JSON.parse((await cli('runs', '--json', '--status', 'failed')).out);
    expect(runs.items[0]).toMatchObject({ id: summary.runId, status: 'failed' });
    expect(runs.items[0].error.message).toContain('broken-invoice.xml line');
  });

  it('the installed bin runs as a separate process', async () => {
    const { stdout } = await promisify(execFile)('node', [join(ROOT, 'runtime/bin/ledgerflow.mjs'), 'nodes'], { env: { ...process.env, LEDGERFLOW_DATA: data } });
    for (const type of ['source.file', 'transform.jsonata', 'validate.record', 'route.condition', 'target.postgres', 'target.http']) expect(stdout).toContain(type);
  });
});

describe('ledgerflow dlq and retention', { timeout: 240_000 }, () => {
  it('lists open dead letters, replays by id, and refuses to discard what is no longer open', async () => {
    const r = await cli('run', UBL_FLOW, '--input', UBL('ubl-invoice-en16931-vat-outside-scope-sek.xml'), '--json');
    const { runId } = JSON.parse(r.out);
    const listed = JSON.parse((await cli('dlq', 'list', '--run', runId, '--json')).out);
    expect(listed.items).toHaveLength(1);
    const letter = listed.items[0];
    expect(letter).toMatchObject({ runId, businessKey: 'INVOICE_test_7', disposition: 'quarantined', errorClass: 'validation', status: 'open' });
    // Replayed against the same (unfixed) version: quarantined again, the same dead letter updated (attempt 2), still open.
    const replay = await cli('dlq', 'replay', String(letter.id), '--json');
    expect(replay.code).toBe(3);
    const again = JSON.parse(replay.out);
    expect(again.counts).toMatchObject({ read: 1, quarantined: 1 });
    expect(again).toMatchObject({ resolved: 0, failedAgain: 1 });
    const newLetter = JSON.parse((await cli('dlq', 'list', '--run', again.runId, '--json')).out).items[0];
    expect(newLetter).toMatchObject({ id: letter.id, attempts: 2, firstRunId: runId, status: 'open' });
    const discard = await cli('dlq', 'discard', String(newLetter.id), '--reason', 'supplier onboarding pending');
    expect(discard.code).toBe(0);
    expect(JSON.parse((await cli('dlq', 'list', '--run', again.runId, '--status', 'discarded', '--json')).out).items[0])
      .toMatchObject({ id: newLetter.id, status: 'discarded', statusReason: 'supplier onboarding pending' });
    // Audited as the API's discard is (one use case, runtime/app), with the CLI as the actor.
    const database = await openDatabase({ dataDir: join(data, 'pgdata') });
    try {
      const { items } = await database.service.audit.list({ action: 'dead-letter.discarded' }, { limit: 10 });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ actor: 'cli', entity: 'dead-letter', entityId: String(newLetter.id), after: { status: 'discarded', statusReason: 'supplier onboarding pending' } });
      // The replay too: one entry naming its run and the dead letters it replayed.
      const replays = await database.service.audit.list({ action: 'dead-letter.replay-queued', entityId: again.runId }, { limit: 10 });
      expect(replays.items).toHaveLength(1);
      expect(replays.items[0]).toMatchObject({ actor: 'cli', entity: 'run', entityId: again.runId, after: { runId: again.runId, deadLetterIds: [letter.id] } });
    } finally {
      await database.close();
    }
  });

  it('a replay says which reference data it evaluated with: current by default (it once said "as it was at <now>")', async () => {
    const { runId } = JSON.parse((await cli('run', UBL_FLOW, '--input', UBL('ubl-invoice-en16931-vat-outside-scope-sek.xml'), '--json')).out);
    const told = await cli('dlq', 'replay', '--run', runId);
    expect(told.out).toContain('(current reference data)');
    expect(told.out).not.toContain('as it was');
  });

  it('retention removes nothing from fresh traces', async () => {
    const r = await cli('retention', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ snapshotsPruned: 0, tracesDeleted: 0 });
  });
});
