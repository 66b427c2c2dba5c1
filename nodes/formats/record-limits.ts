/**
 * Limits every source record must keep, so poison input fails fast and clearly
 * instead of deep in the engine or the store: nesting depth (deeper values
 * overflow the stack of JSON.stringify, jsonata and structuredClone), size (a
 * JSON Lines line is held whole in memory), and no NUL character (Postgres
 * text and jsonb refuse `\u0000`, error 22P05).
 */

/** How deep and how large a record may be. */
export interface RecordLimits {
  /** Nesting levels of objects and lists (default 1,000). */
  maxDepth: number;
  /** Characters of one record: a JSON Lines line's text, or a parsed record's strings, names and values (default 16 Mi). */
  maxRecordSize: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = { maxDepth: 1000, maxRecordSize: 16 * 1024 * 1024 };

/** The limits with defaults filled in. */
export function recordLimitsOf(partial: Partial<RecordLimits> = {}): RecordLimits {
  return {
    maxDepth: partial.maxDepth ?? DEFAULT_RECORD_LIMITS.maxDepth,
    maxRecordSize: partial.maxRecordSize ?? DEFAULT_RECORD_LIMITS.maxRecordSize,
  };
}

/** Shown in messages: 16777216 → "16 MiB", 1500 → "1,500". */
export function describeSize(chars: number): string {
  const mib = chars / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${chars.toLocaleString('en-US')} characters`;
}

/** A text longer than the record size limit: the words of the error. */
export function tooLargeMessage(limits: RecordLimits): string {
  return `the record is larger than the record size limit of ${describeSize(limits.maxRecordSize)} (maxRecordSize)`;
}

/**
 * True when whatever the JSON text `text` parses to surely keeps the limits, as
 * the text alone shows (a few native searches, no walk of the value): short
 * enough that its size cannot pass the limit (a value counts at most 6
 * characters per character of its text), too few brackets to nest deeper (each
 * level takes an opening and a closing one), and no NUL, raw or escaped. False
 * means "not sure": walk the parsed value (recordProblem).
 */
export function textKeepsLimits(text: string, limits: RecordLimits): boolean {
  if (text.length > limits.maxRecordSize / 6) return false;
  if (text.indexOf('\u0000') !== -1 || text.indexOf('\\u0000') !== -1) return false;
  if (text.length < 2 * (limits.maxDepth + 1)) return true;
  let openings = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++openings > limits.maxDepth) return false;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++openings > limits.maxDepth) return false;
  return true;
}

interface Visit {
  value: unknown;
  depth: number;
  parent?: Visit;
  key?: string | number;
}

/** Dotted field path of a visited value, built only when a problem is reported. */
function pathOf(visit: Visit): string {
  let path = '';
  for (let v: Visit | undefined = visit; v?.parent; v = v.parent) {
    path = typeof v.key === 'number' ? `[${v.key}]${path}` : `${v.parent.parent ? '.' : ''}${v.key}${path}`;
  }
  return path;
}

/**
 * What is wrong with a parsed record, or undefined when it keeps the limits.
 * Walks the value without recursion, so any depth is measured safely.
 */
export function recordProblem(value: unknown, limits: RecordLimits = DEFAULT_RECORD_LIMITS): string | undefined {
  const stack: Visit[] = [{ value, depth: 0 }];
  // The record's size as its JSON text would be, near enough: strings and names, and a few characters per other value.
  let size = 0;
  while (stack.length > 0) {
    if (size > limits.maxRecordSize) return tooLargeMessage(limits);
    const visit = stack.pop()!;
    const v = visit.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return `field ${pathOf(visit) || '(the record)'} contains a NUL character (\\u0000), which cannot be stored; remove it at the source`;
      size += v.length + 3;
      continue;
    }
    if (v === null || typeof v !== 'object') {
      size += 6;
      continue;
    }
    if (visit.depth + 1 > limits.maxDepth) {
      const path = pathOf(visit);
      return `the record is nested more than ${limits.maxDepth.toLocaleString('en-US')} levels deep (maxDepth)${path ? ` at field ${path.slice(0, 200)}` : ''}`;
    }
    const depth = visit.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, parent: visit, key: i });
      size += 2;
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key.includes('\u0000')) {
        const path = pathOf(visit);
        return `a field name${path ? ` in ${path}` : ''} contains a NUL character (\\u0000), which cannot be stored; remove it at the source`;
      }
      size += key.length + 3;
      stack.push({ value: (v as Record<string, unknown>)[key], depth, parent: visit, key });
    }
  }
  return size > limits.maxRecordSize ? tooLargeMessage(limits) : undefined;
}
