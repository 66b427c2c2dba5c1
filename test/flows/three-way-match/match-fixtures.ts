/**
 * The three-way-match example against a backend: its flow loaded (with its `ap` tables, emptied),
 * and what its tables, quarantine and keyed state must hold afterwards.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { RuleFailure } from '../../../nodes/errors.ts';
import { DELIVERY_MARKER_TABLE } from '../../../nodes/target/delivery-markers.ts';
import type { LineState } from '../../../nodes/transform/match-lines.ts';
import { loadExamples } from '../../../runtime/app/bootstrap.ts';
import { createEvaluatorRegistry } from '../../../runtime/evaluators.ts';
import type { Database } from '../../../runtime/store/database.ts';
import type { Store } from '../../../runtime/store/store.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';
import { centsText } from './match-data.ts';
import type { ExpectedMatch } from './match-expected.ts';

/** Loads flows/three-way-match (flow, `ap` connection and tables for `environment`) and empties its tables. */
export async function loadThreeWayMatch(database: Database, environment: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lf-3wm-'));
  try {
    await cp(resolve(import.meta.dirname, '../../../flows/three-way-match'), join(dir, 'three-way-match'), { recursive: true });
    await loadExamples(database, { evaluators: createEvaluatorRegistry(), dir, environment });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // The `ap` database outlives a reused store: start from empty tables and no delivery markers.
  const ap = targetDatabase(database, 'ap');
  await ap.query('truncate ap_matched_invoice_line, ap_invoice_held');
  const markers = await ap.query<{ t: unknown }>('select to_regclass($1)::text as t', [DELIVERY_MARKER_TABLE]);
  if (markers.rows[0].t) await ap.query(`truncate ${DELIVERY_MARKER_TABLE}`);
}

/** AP holds exactly `lines` invoice lines of these quantities and amounts, each amount = quantity × price. */
export async function expectAp(database: Database, lines: number, qty: bigint, amountCents: bigint): Promise<void> {
  const { rows } = await targetDatabase(database, 'ap').query<{ n: unknown; qty: unknown; amount: unknown; wrong: unknown }>(
    `select count(*) as n, coalesce(sum(quantity), 0)::numeric(18,0)::text as qty, coalesce(sum(amount), 0)::text as amount,
            count(*) filter (where amount <> quantity * unit_price) as wrong from ap_matched_invoice_line`);
  expect({ n: Number(rows[0].n), qty: String(rows[0].qty), amount: String(rows[0].amount), wrong: Number(rows[0].wrong) })
    .toEqual({ n: lines, qty: String(qty), amount: centsText(amountCents), wrong: 0 });
}

/** Held invoice lines not posted since. */
export async function expectWaiting(database: Database, n: number): Promise<void> {
  const { rows } = await targetDatabase(database, 'ap').query<{ n: unknown }>('select count(*) as n from ap_invoice_waiting');
  expect(Number(rows[0].n)).toBe(n);
}

/** The run's quarantined records by reason: the failed rules of each exception, or no PO number. */
export async function quarantineReasons(store: Store, runId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let cursor: string | undefined;
  do {
    const page = await store.listDeadLetters({ runId }, { limit: 500, cursor });
    for (const d of page.items) {
      const failures = (d.error as { failures?: RuleFailure[] }).failures;
      const reason = failures?.length ? failures.map((f) => f.rule).join('+') : d.error.field === '/invoice/key/0' ? 'no-po' : d.error.message;
      out[reason] = (out[reason] ?? 0) + 1;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** The keyed state agrees with `expected`, line by line: received, invoiced into AP, invoices still held. */
export async function expectLines(store: Store, environment: string, expected: ExpectedMatch): Promise<void> {
  const keys = [...expected.lines.keys()];
  const state = await store.keyedState.read(`${environment}/three-way-match`, keys);
  const wrong = keys.filter((k) => {
    const line = state.get(k) as LineState | undefined;
    const want = expected.lines.get(k)!;
    return !line || BigInt(line.received) !== want.received || BigInt(line.invoiced) !== want.invoiced || line.held.length !== want.held.length;
  });
  expect(wrong.slice(0, 5)).toEqual([]);
}
