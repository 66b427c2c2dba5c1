/** The config schema of `source.http` (the inspector renders it, the runtime validates with it). */
import type { JsonSchema } from '../define-node.ts';

const param = (title: string, fallback: string, description?: string) => ({ type: 'string', title, default: fallback, ...(description ? { description } : {}) });

export const HTTP_SOURCE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['connection'],
  additionalProperties: false,
  properties: {
    connection: { type: 'string', title: 'Connection', minLength: 1 },
    method: { type: 'string', title: 'Method', description: 'GET, or POST for APIs that take the query as a JSON body.', enum: ['GET', 'POST'], default: 'GET' },
    path: { type: 'string', title: 'Path', description: 'Appended to the connection URL, e.g. /purchase-orders', default: '' },
    query: {
      type: 'object', title: 'Fixed parameters', description: 'Sent with every page: in the query string (GET) or the JSON body (POST).',
      additionalProperties: { type: 'string' }, default: {},
    },
    format: { type: 'string', title: 'Answer format', description: '"auto" goes by the answer\'s Content-Type.', enum: ['auto', 'json', 'xml'], default: 'auto' },
    recordsPath: {
      type: 'string', title: 'Records at',
      description: 'Dotted path of the list of records in each answer, e.g. data.items (XML: from the root element, e.g. Orders.Order). Empty: a top-level list.',
      default: '',
    },
    exactNumbers: { type: 'boolean', title: 'Keep numbers exactly as written', description: 'JSON: numbers stay text as written ("96.00", long ids).', default: false },
    xmlRepeat: { type: 'array', title: 'XML: always lists', items: { type: 'string' }, uniqueItems: true, default: [] },
    pagination: {
      type: 'object', title: 'Pagination', additionalProperties: false,
      properties: {
        style: {
          type: 'string', title: 'Pages by',
          description: 'page: a page number; offset: records to skip; cursor: a cursor from the answer; link: the Link header\'s rel="next"; next-url: a URL in the answer.',
          enum: ['none', 'page', 'offset', 'cursor', 'link', 'next-url'], default: 'none',
        },
        pageParam: param('Page parameter', 'page'),
        firstPage: { type: 'integer', title: 'First page number', minimum: 0, default: 1 },
        offsetParam: param('Offset parameter', 'offset'),
        cursorParam: param('Cursor parameter', 'cursor'),
        nextPath: param('Next cursor / URL at', '', 'Dotted path in the answer, e.g. meta.nextCursor or links.next'),
        sizeParam: param('Page size parameter', '', 'e.g. limit or pageSize; empty: none is sent (then only an empty page ends the reading).'),
        pageSize: { type: 'integer', title: 'Page size', minimum: 1, maximum: 100_000, default: 100 },
        maxPages: { type: 'integer', title: 'Most pages per run', minimum: 1, default: 10_000 },
      },
    },
    watermark: {
      type: 'object', title: 'Watermark (only what changed)', additionalProperties: false,
      properties: {
        field: param('Watermark field', '', 'Record field that grows with every change, e.g. updatedAt; the largest value read becomes the next watermark when the run succeeds.'),
        param: param('Sent as parameter', '', 'e.g. updated_since: the last watermark is sent in it.'),
        initial: param('First watermark', '', 'Sent on the first run; empty: the parameter is left out until there is a watermark.'),
      },
    },
    timeoutMs: { type: 'integer', title: 'Timeout per request (ms)', minimum: 1, maximum: 600_000, default: 30_000 },
    retry: {
      type: 'object', title: 'Retries', additionalProperties: false,
      description: 'Network errors, timeouts, 408, 425, 429 and 5xx are retried; Retry-After is honoured.',
      properties: {
        maxAttempts: { type: 'integer', title: 'Tries per page', minimum: 1, maximum: 20, default: 5 },
        backoffMs: { type: 'integer', title: 'First back-off (ms)', minimum: 0, default: 1000 },
        maxWaitMs: { type: 'integer', title: 'Longest wait (ms)', minimum: 0, default: 60_000 },
      },
    },
  },
};
