/** `--limit` of the listing commands, and the line saying when a list was cut. */
import type { Page, Paged } from '../store/store.ts';
import { CliError } from './cli-error.ts';

/** The store's largest page. */
export const MAX_LIMIT = 1000;
/** Counting the rows beyond a cut list stops here (a list of traces can be millions long). */
const COUNT_CEILING = 10_000;

/** `--limit <n>`: a whole number from 1 to 1000, or `fallback` when not given. */
export function limitOption(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new CliError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not '${value}'`, 64);
  }
  return n;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * "showing 50 of 1,088; --limit to see more" when the page was not the whole
 * list (null when it was): counts the rest by reading the following pages.
 */
export async function cutNotice(shown: Paged<unknown>, next: (page: Page) => Promise<Paged<unknown>>, narrow: string): Promise<string | null> {
  if (!shown.nextCursor) return null;
  let total = shown.items.length;
  let cursor: string | null = shown.nextCursor;
  while (cursor && total < COUNT_CEILING) {
    const page = await next({ limit: MAX_LIMIT, cursor });
    total += page.items.length;
    cursor = page.nextCursor;
  }
  const of = cursor ? `more than ${count(total)}` : count(total);
  const hint = shown.items.length < MAX_LIMIT ? '--limit to see more' : narrow;
  return `showing ${count(shown.items.length)} of ${of}; ${hint}`;
}
