/** The config of `source.http`, written once (the inspector renders it, the runtime validates with it, its type and defaults come from it). */
import { StringEnum, StringMap, Type, type Static } from '../config-schema.ts';

const param = (title: string, fallback: string, description?: string) => Type.Optional(Type.String({ title, default: fallback, ...(description ? { description } : {}) }));

// Nested fields are optional: a flow may give part of an object, the rest comes from the defaults (see `complete`).
const pagination = Type.Object({
  style: Type.Optional(StringEnum(['none', 'page', 'offset', 'cursor', 'link', 'next-url'], {
    title: 'Pages by',
    description: 'page: a page number; offset: records to skip; cursor: a cursor from the answer; link: the Link header\'s rel="next"; next-url: a URL in the answer.',
    default: 'none',
  })),
  pageParam: param('Page parameter', 'page'),
  firstPage: Type.Optional(Type.Integer({ title: 'First page number', minimum: 0, default: 1 })),
  offsetParam: param('Offset parameter', 'offset'),
  cursorParam: param('Cursor parameter', 'cursor'),
  nextPath: param('Next cursor / URL at', '', 'Dotted path in the answer, e.g. meta.nextCursor or links.next'),
  sizeParam: param('Page size parameter', '', 'e.g. limit or pageSize; empty: none is sent (then only an empty page ends the reading).'),
  pageSize: Type.Optional(Type.Integer({ title: 'Page size', minimum: 1, maximum: 100_000, default: 100 })),
  maxPages: Type.Optional(Type.Integer({ title: 'Most pages per run', minimum: 1, default: 10_000 })),
}, { title: 'Pagination', additionalProperties: false });

const watermark = Type.Object({
  /** Dotted path of the record field that grows with every change (updatedAt); empty: no watermark. */
  field: param('Watermark field', '', 'Record field that grows with every change, e.g. updatedAt; the largest value read becomes the next watermark when the run succeeds.'),
  /** Parameter the last watermark is sent in (updated_since); empty: not sent. */
  param: param('Sent as parameter', '', 'e.g. updated_since: the last watermark is sent in it.'),
  /** Watermark of the first run; empty: the parameter is left out until there is one. */
  initial: param('First watermark', '', 'Sent on the first run; empty: the parameter is left out until there is a watermark.'),
}, { title: 'Watermark (only what changed)', additionalProperties: false });

const retry = Type.Object({
  maxAttempts: Type.Optional(Type.Integer({ title: 'Tries per page', minimum: 1, maximum: 20, default: 5 })),
  backoffMs: Type.Optional(Type.Integer({ title: 'First back-off (ms)', minimum: 0, default: 1000 })),
  maxWaitMs: Type.Optional(Type.Integer({ title: 'Longest wait (ms)', minimum: 0, default: 60_000 })),
}, { title: 'Retries', additionalProperties: false, description: 'Network errors, timeouts, 408, 425, 429 and 5xx are retried; Retry-After is honoured.' });

export const HTTP_SOURCE_CONFIG = Type.Object({
  /** Name of an `http` connection the flow declares (base URL, headers, auth, rate limit). */
  connection: Type.String({ title: 'Connection', minLength: 1, default: '' }),
  method: StringEnum(['GET', 'POST'], { title: 'Method', description: 'GET, or POST for APIs that take the query as a JSON body.', default: 'GET' }),
  /** Appended to the connection's base URL, e.g. `/purchase-orders`. */
  path: Type.String({ title: 'Path', description: 'Appended to the connection URL, e.g. /purchase-orders', default: '' }),
  /** Fixed parameters: in the query string (GET) or the JSON body (POST). */
  query: StringMap({ title: 'Fixed parameters', description: 'Sent with every page: in the query string (GET) or the JSON body (POST).', default: {} }),
  format: StringEnum(['auto', 'json', 'xml'], { title: 'Answer format', description: '"auto" goes by the answer\'s Content-Type.', default: 'auto' }),
  /** Dotted path of the list of records in the answer (XML: starting with the root element's name). */
  recordsPath: Type.String({
    title: 'Records at',
    description: 'Dotted path of the list of records in each answer, e.g. data.items (XML: from the root element, e.g. Orders.Order). Empty: a top-level list.',
    default: '',
  }),
  exactNumbers: Type.Boolean({ title: 'Keep numbers exactly as written', description: 'JSON: numbers stay text as written ("96.00", long ids).', default: false }),
  xmlRepeat: Type.Array(Type.String(), { title: 'XML: always lists', uniqueItems: true, default: [] }),
  pagination,
  watermark,
  timeoutMs: Type.Integer({ title: 'Timeout per request (ms)', minimum: 1, maximum: 600_000, default: 30_000 }),
  retry,
}, { additionalProperties: false });

/** A `source.http` config as a flow holds it (nested objects may be partial). */
export type HttpSourceConfig = Static<typeof HTTP_SOURCE_CONFIG>;
