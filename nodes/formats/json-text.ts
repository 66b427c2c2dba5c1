/**
 * A record's JSON text, made once per object: a target writing a record and
 * the trace storing the same record (a flow that passes it on unchanged) share
 * one `JSON.stringify`. Records are never changed in place once a node has
 * produced them (nodes return new values; masking copies what it masks), so
 * the text made first stays the record's text.
 */
const texts = new WeakMap<object, string>();

/** `JSON.stringify(value)`, remembered for objects and arrays. */
export function jsonTextOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    if (text !== undefined) texts.set(value, text);
  }
  return text;
}
