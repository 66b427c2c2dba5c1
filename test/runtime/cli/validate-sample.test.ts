/**
 * `ledgerflow validate --sample`: with a sample document, paths that match
 * nothing in it are named as warnings (issue 15, point 6). Needs no store.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../runtime/cli.ts';
import { CAMT054_PATH, camt054Flow } from '../fan-out-items-fixtures.ts';

let dir: string;

async function validate(doc: object): Promise<{ code: number; out: string }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(doc));
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s) => { out.push(String(s)); });
  const error = vi.spyOn(console, 'error').mockImplementation((s) => { out.push(String(s)); });
  try {
    return { code: await main(['validate', file, '--sample', CAMT054_PATH, '--json']), out: out.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lf-validate-sample-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate --sample', () => {
  it('names declared keys and item amounts that match nothing in the sample', async () => {
    const doc = camt054Flow('camt054-typos', 'entries');
    doc.businessKey = 'Ntfctn.Idd';
    (doc.nodes[1].config as Record<string, unknown>).itemAmount = 'amout';
    const { code, out } = await validate(doc);
    expect(code).toBe(0);
    const { valid, warnings } = JSON.parse(out);
    expect(valid).toBe(true);
    expect(warnings.map((w: { code: string; expression?: string }) => `${w.code} ${w.expression}`).sort()).toEqual([
      'EXPRESSION_MATCHED_NOTHING businessKey',
      'EXPRESSION_MATCHED_NOTHING itemAmount of entries',
    ]);
  });

  it('names a record path that reads nothing, and a mapping that drops every record', async () => {
    const wrongRoot = camt054Flow('camt054-wrong-root', 'entries');
    (wrongRoot.nodes[0].config as { xml: { recordElement: string } }).xml.recordElement = 'Document/BkToCstmrStmt/Stmt';
    expect(JSON.parse((await validate(wrongRoot)).out).warnings.map((w: { code: string }) => w.code)).toEqual(['SOURCE_READ_NOTHING']);

    const dropsAll = camt054Flow('camt054-drops-all', 'entries', { items: false, expression: 'Ntfction.Ntry' });
    expect(JSON.parse((await validate(dropsAll)).out).warnings.map((w: { code: string }) => w.code)).toEqual(['ALL_FILTERED']);
  });

  it('names target field paths that match nothing in the records reaching the target: a Postgres column, an HTTP URL placeholder', async () => {
    const doc = camt054Flow('camt054-column-typo', 'entries');
    const post = doc.nodes[3].config as { columns: Record<string, string> };
    post.columns = { ...post.columns, amount: 'amout' };
    doc.nodes.push({ id: 'api', type: 'target.http', typeVersion: 1, position: { x: 600, y: 200 }, config: { connection: 'erp', method: 'PUT', path: '/entries/{{entryReff}}', idempotencyKey: 'entryRef' } });
    doc.connections = { ...doc.connections, erp: { kind: 'http' } };
    doc.edges.push({ id: 'e4', source: 'booked', sourceHandle: 'valid', target: 'api' });
    const { warnings } = JSON.parse((await validate(doc)).out);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'TARGET_FIELD_MATCHED_NOTHING', nodeId: 'post', configPath: '/columns/amount', expression: 'amout' }),
      expect.objectContaining({ code: 'TARGET_FIELD_MATCHED_NOTHING', nodeId: 'api', configPath: '/path', expression: 'entryReff' }),
    ]);
    expect(warnings[0].message).toMatch(/^The field path amout \(column amount of target 'post'\) gave nothing for any of the 5 record\(s\) reaching it in the sample /);
  });

  it('a flow that matches its sample has no warnings', async () => {
    expect(JSON.parse((await validate(camt054Flow('camt054-fine', 'entries'))).out).warnings).toEqual([]);
  });
});
