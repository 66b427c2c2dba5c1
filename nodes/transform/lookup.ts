/**
 * Lookup (`transform.lookup`): enriches each record with rows from a live source, a Postgres
 * query or an HTTP GET on a named connection. The records of a chunk are looked up together (one
 * query for all their keys), and the answers are cached for the run, up to a size limit. A record
 * whose key is not found leaves by `missing`, or by `found` with a default value.
 */
import { Expression, StringEnum, Type, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type Emission, type LookupRequest, type PortDeclaration, type ProcessContext } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import { compileConfigExpression, nodeError } from '../expression/config-expressions.ts';
import { countSqlStatements, splitSqlStatements } from '../source/sql-statements.ts';
import { LookupCache } from './lookup-cache.ts';
import { directLookups, type LookupRows } from './lookup-sources.ts';
import { recordKey, withField } from './record-key.ts';

const config = Type.Object({
  source: StringEnum(['postgres', 'http'], { title: 'Look up in', description: 'A Postgres query, or an HTTP GET per key.', default: 'postgres' }),
  connection: Type.String({ title: 'Connection', description: 'The named connection (bound per environment).', minLength: 1, default: '' }),
  query: Type.String({
    title: 'Query (Postgres)',
    description: 'SQL answering many keys at once: $1 is the list of keys, e.g. select * from ar_open_item where invoice_no = any($1).',
    default: '',
  }),
  matchColumn: Type.String({ title: 'Key column (Postgres)', description: 'The column of the answer holding the key, e.g. invoice_no.', default: '' }),
  path: Type.String({ title: 'Path (HTTP)', description: 'Path under the connection\'s base URL; {{key}} is the key, e.g. /customers/{{key}}. A 404 means not found.', default: '' }),
  key: Expression({ title: 'Key', description: 'JSONata on the record giving the key to look up. A record whose key gives nothing is quarantined.', default: '' }),
  into: Type.String({ title: 'Into field', description: 'Field of the record that receives the row found (a list with "All matches").', minLength: 1, default: 'lookup' }),
  many: Type.Boolean({ title: 'All matches as a list', description: 'One-to-many: the field gets every row found, as a list. Otherwise a key matching several rows fails the record.', default: false }),
  onMissing: StringEnum(['port', 'default'], { title: 'When not found', description: 'Send the record out of "missing", or on through "found" with the default value.', default: 'port' }),
  default: Type.Optional(Expression({ title: 'Default value', description: 'JSONata on the record giving the value of a key not found (When not found: default).' })),
  cacheSize: Type.Integer({ title: 'Cache size (keys)', description: 'Keys remembered for the run; 0 turns the cache off.', minimum: 0, maximum: 1_000_000, default: 10_000 }),
  concurrency: Type.Integer({ title: 'Requests at once (HTTP)', minimum: 1, maximum: 32, default: 4 }),
  timeoutMs: Type.Integer({ title: 'Timeout (ms)', description: 'Longest a query or a request may take.', minimum: 1, default: 10_000 }),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Lookup', additionalProperties: false });

export type LookupConfig = Static<typeof config>;

const FOUND = 'found';
const MISSING = 'missing';

function checkLookup(config: LookupConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.source === 'postgres') {
    if (countSqlStatements(config.query) > 1) problems.push({ path: '/query', message: 'One SELECT statement only (a lookup can only read)' });
    if (!/\$1(?!\d)/.test(config.query)) problems.push({ path: '/query', message: 'The query must use $1, the list of keys (e.g. where invoice_no = any($1))' });
    if (/\$(?:[2-9]|1\d)/.test(config.query)) problems.push({ path: '/query', message: 'The query gets one parameter, $1 (the list of keys)' });
    if (!config.matchColumn.trim()) problems.push({ path: '/matchColumn', message: 'Name the column of the answer that holds the key' });
  } else if (!config.path.includes('{{key}}')) {
    problems.push({ path: '/path', message: 'The path must contain {{key}}, where the key goes' });
  }
  if (config.onMissing === 'default' && !config.default?.trim()) problems.push({ path: '/default', message: 'Give the default value for keys not found' });
  return problems;
}

/** `transform.lookup`: see the module comment. */
export const lookupNode = defineNode({
  type: 'transform.lookup',
  version: 1,
  title: 'Lookup',
  description: 'Enriches each record from a live source (Postgres query or HTTP GET): one query per chunk for all its keys, cached for the run. Found → found; not found → missing, or a default.',
  category: 'transform',
  inputs: [{ id: 'in', title: 'In' }],
  outputs: (config: LookupConfig): PortDeclaration[] => config?.onMissing === 'default'
    ? [{ id: FOUND, title: 'Found' }]
    : [{ id: FOUND, title: 'Found' }, { id: MISSING, title: 'Missing', required: true }],
  config,
  check: checkLookup,
  summary(config) {
    return `${config.connection}: ${config.source === 'http' ? `GET ${config.path}` : config.query}`.slice(0, 60);
  },
  create(config, setup) {
    const nodeId = setup.nodeId;
    const key = compileConfigExpression(setup, '/key', config.key);
    const fallback = config.onMissing === 'default' ? compileConfigExpression(setup, '/default', config.default ?? '') : undefined;
    const cache = new LookupCache(config.cacheSize);
    const request: LookupRequest = config.source === 'http'
      ? { source: 'http', connection: config.connection, path: config.path, concurrency: config.concurrency, timeoutMs: config.timeoutMs, nodeId }
      : { source: 'postgres', connection: config.connection, query: splitSqlStatements(config.query).join(';\n'), matchColumn: config.matchColumn, timeoutMs: config.timeoutMs, nodeId };
    // A designer test run hands in its own source (the dev connection, through the main thread); a run queries directly.
    const fetchRows = (keys: string[], ctx: ProcessContext): Promise<LookupRows> => (ctx.lookups ?? directLookups).rows(request, keys, ctx);
    return {
      process() {
        throw new FlowError('permanent', `Node "${nodeId}" (lookup) runs on whole chunks only`, { nodeId });
      },
      async processBatch(records, ctx) {
        const runCache = cache.forRun(ctx.runId);
        const answers: (Emission[] | FlowError)[] = new Array(records.length);
        const keys: string[] = [];
        for (const [i, r] of records.entries()) {
          const k = await recordKey(key, config.key, r.data, r.bindings, { nodeId, field: '/key' });
          if (k instanceof FlowError) answers[i] = k;
          else keys[i] = k;
        }
        const known: LookupRows = new Map();
        const toFetch = new Set<string>();
        for (const k of keys) {
          if (k === undefined || known.has(k)) continue;
          const cached = runCache.get(k);
          if (cached) known.set(k, cached);
          else toFetch.add(k);
        }
        if (toFetch.size) {
          const fetched = await fetchRows([...toFetch], ctx);
          for (const k of toFetch) {
            const rows = fetched.get(k) ?? [];
            known.set(k, rows);
            runCache.set(k, rows);
          }
        }
        for (const [i, r] of records.entries()) {
          const k = keys[i];
          if (k === undefined) continue;
          answers[i] = await answerFor(k, known.get(k) ?? [], r.data, async () => fallback!.evaluate(r.data, r.bindings));
        }
        return answers;
      },
    };

    async function answerFor(k: string, rows: unknown[], data: unknown, defaultValue: () => Promise<unknown>): Promise<Emission[] | FlowError> {
      try {
        if (rows.length === 0) {
          if (!fallback) return [{ port: MISSING, data }];
          return [{ port: FOUND, data: withField(data, config.into, await defaultValue(), nodeId) }];
        }
        if (!config.many && rows.length > 1) {
          return new FlowError('mapping', `Lookup "${nodeId}": key '${k}' matched ${rows.length} rows; turn on "All matches as a list" or narrow the query`, { nodeId, field: '/key' });
        }
        return [{ port: FOUND, data: withField(data, config.into, config.many ? rows : rows[0], nodeId) }];
      } catch (err) {
        return nodeError(err, nodeId);
      }
    }
  },
});
