/**
 * What a match node keeps per match key (a PO line) in keyed state, and how one run's records of
 * that key change it: the order line, the receipts counted (each once, by its change key), the
 * quantity already invoiced, the invoices held for a missing side, and the decision taken for
 * each invoice (each decided once). Pure: rules are judged by the function passed in.
 */
import { decAdd } from '../expression/money.ts';
import type { RuleFailure } from '../errors.ts';

export const MATCH_SIDES = ['order', 'receipt', 'invoice'] as const;
export type MatchSide = (typeof MATCH_SIDES)[number];

/** One record of a run folded into its key's group. */
export interface SideRecord {
  side: MatchSide;
  /** Its change key: a receipt counts once, an invoice is decided once. */
  id: string;
  /** Receipt: quantity received; invoice: quantity invoiced. */
  quantity?: string;
  data: unknown;
}

/** The record a match group enters the graph as: its key and the run's records of it, in read order. */
export interface MatchGroup {
  key: string;
  records: SideRecord[];
}

export interface Decision {
  outcome: 'matched' | 'exception';
  quantity: string;
  /** Received and already invoiced on the line when the invoice was judged. */
  received: string;
  invoicedBefore: string;
  failures?: RuleFailure[];
}

export interface HeldInvoice {
  id: string;
  quantity: string;
  data: unknown;
}

/** The keyed state of one match key. */
export interface LineState {
  order?: unknown;
  received: string;
  receipts: Record<string, string>;
  invoiced: string;
  held: HeldInvoice[];
  decided: Record<string, Decision>;
}

export const emptyLine = (): LineState => ({ received: '0', receipts: {}, invoiced: '0', held: [], decided: {} });

/** What the line looks like to an invoice being judged. */
export interface LineView {
  order: unknown;
  received: string;
  receipts: number;
  invoiced: string;
}

export type Judge = (invoice: HeldInvoice, line: LineView) => Promise<RuleFailure[]>;

/** Which sides an invoice waits for (those the node is configured with). */
export interface Expecting {
  order: boolean;
  receipt: boolean;
}

const waiting = (line: LineState, expecting: Expecting) =>
  (expecting.order && line.order === undefined) || (expecting.receipt && Object.keys(line.receipts).length === 0);

async function decide(line: LineState, invoice: HeldInvoice, judge: Judge): Promise<void> {
  const view: LineView = { order: line.order ?? null, received: line.received, receipts: Object.keys(line.receipts).length, invoiced: line.invoiced };
  const failures = await judge(invoice, view);
  const matched = failures.length === 0;
  line.decided[invoice.id] = {
    outcome: matched ? 'matched' : 'exception', quantity: invoice.quantity, received: line.received, invoicedBefore: line.invoiced,
    ...(matched ? {} : { failures }),
  };
  if (matched) line.invoiced = decAdd(line.invoiced, invoice.quantity)!;
}

/**
 * A replay of a group's dead letters: the invoices replayed (all of the group's without `items`).
 * The run that failed them applied the group's orders and receipts, and a later run may have
 * corrected them since, so a replay does not apply them again.
 */
export interface Replay {
  items?: string[];
}

/**
 * The line after this run's records of it: orders and receipts first (so the order within the
 * run does not matter), then the invoices held from earlier runs (oldest first), then this run's
 * invoices in read order. An invoice already seen (held or decided) changes nothing, except in a
 * replay: an invoice replayed whose decision was an exception is judged again, against the line
 * as it is now (a late or corrected receipt since), so it may match; one matched stays matched.
 */
export async function resolveLine(current: LineState | undefined, group: MatchGroup, expecting: Expecting, judge: Judge, replay?: Replay): Promise<LineState> {
  const line: LineState = current ? structuredClone(current) : emptyLine();
  if (replay) {
    const replayed = replay.items && new Set(replay.items);
    for (const r of group.records) {
      if (r.side === 'invoice' && line.decided[r.id]?.outcome === 'exception' && (!replayed || replayed.has(r.id))) delete line.decided[r.id];
    }
  }
  for (const r of replay ? [] : group.records) {
    if (r.side === 'order') line.order = r.data;
    else if (r.side === 'receipt' && !(r.id in line.receipts)) {
      line.receipts[r.id] = r.quantity!;
      line.received = decAdd(line.received, r.quantity)!;
    }
  }
  if (!waiting(line, expecting)) {
    const held = line.held;
    line.held = [];
    for (const h of held) await decide(line, h, judge);
  }
  for (const r of group.records) {
    if (r.side !== 'invoice' || r.id in line.decided || line.held.some((h) => h.id === r.id)) continue;
    const invoice = { id: r.id, quantity: r.quantity!, data: r.data };
    if (waiting(line, expecting)) line.held.push(invoice);
    else await decide(line, invoice, judge);
  }
  return line;
}

/** An invoice as the node sends it on: by which port, the invoice record and what the match found. */
export interface InvoiceOutcome {
  port: 'matched' | 'exception' | 'unmatched';
  id: string;
  data: unknown;
  decision?: Decision;
}

/**
 * The invoices a resolution sends on, from the line before and after it (so a retried chunk,
 * which gets the recorded before/after back, sends the same): those released from the hold, then
 * this run's invoices, each with its decision, or unmatched while held.
 */
export function invoiceOutcomes(before: LineState | undefined, after: LineState, group: MatchGroup): InvoiceOutcome[] {
  const out: InvoiceOutcome[] = [];
  const seen = new Set<string>();
  const heldNow = new Map(after.held.map((h) => [h.id, h]));
  const add = (id: string, data: unknown) => {
    if (seen.has(id)) return;
    seen.add(id);
    const decision = after.decided[id];
    if (decision) out.push({ port: decision.outcome, id, data, decision });
    else if (heldNow.has(id)) out.push({ port: 'unmatched', id, data });
  };
  for (const h of before?.held ?? []) if (!heldNow.has(h.id)) add(h.id, h.data);
  for (const r of group.records) if (r.side === 'invoice') add(r.id, heldNow.get(r.id)?.data ?? r.data);
  return out;
}
