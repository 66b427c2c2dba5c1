/**
 * `source.http`: reads records from a REST API of a named HTTP connection,
 * page after page (page number, offset, cursor in the body, `Link` header or
 * next-page URL in the body), records found at a path of each JSON or XML
 * answer.
 *
 * With a watermark field, the largest value of that field seen in the run is
 * proposed as the next watermark (the runtime commits it only when the run
 * succeeds, so a run failing halfway reads the same records again next time,
 * and the idempotency ledger counts the ones already delivered as
 * duplicates); the last committed watermark is sent to the API in
 * `watermark.param`, so it answers only what changed since.
 *
 * A page that cannot be read (not JSON or XML, nothing like records at the
 * records path) is dead-lettered at the source, URL, status and body kept,
 * and the pages after it are read when the paging allows (page number,
 * offset with a page size, `Link` header, or a cursor in a body that did
 * parse); when the way on is in the broken body the read stops there, the
 * dead letter saying so. Either way the watermark is not proposed, so the
 * next run reads those records again.
 *
 * Every URL read stays under the connection's base URL (next-page links
 * included). Credentials come from the connection (headers, `auth`); see
 * http-auth.ts and http-request.ts for OAuth2, retries and `Retry-After`.
 *
 * Given an input document (a saved answer, as the designer's samples and test
 * runs hand in), the source reads it as one page and calls nothing.
 */
import { collectBytes } from '../formats/bytes.ts';
import { defineNode, UnreadableInput, type ConfigProblem, type SourceContext } from '../define-node.ts';
import { keptText } from './broker-messages.ts';
import { FlowError } from '../errors.ts';
import { compileFieldPath, fieldPathProblem } from '../field-path.ts';
import { createHttpAuthorizer } from '../http-auth.ts';
import { sensitiveValues } from '../secret-redaction.ts';
import { urlUnderBase } from '../target/http-url.ts';
import { createPager, outsideBase, parseBody, recordsOf, type NextPage, type PaginationConfig, type PageSeen } from './http-pages.ts';
import { describePage, hideSecrets, requestPage, sleep, type PageClient, type PageReply, type PageRequest, type RetryPolicy } from './http-request.ts';
import { HTTP_SOURCE_CONFIG, type HttpSourceConfig } from './http-schema.ts';
import { schemaDefaults } from '../config-schema.ts';
import { compareWatermarks, watermarkText } from './watermark-order.ts';

export type { HttpSourceConfig };

/** The config with every default filled in, nested ones too. */
interface CompleteConfig extends Omit<HttpSourceConfig, 'pagination' | 'watermark' | 'retry'> {
  pagination: PaginationConfig;
  watermark: Required<HttpSourceConfig['watermark']>;
  retry: RetryPolicy;
}

const defaults = schemaDefaults(HTTP_SOURCE_CONFIG) as unknown as CompleteConfig;

/** The config with every nested default filled in (flows may leave parts out). */
function complete(config: HttpSourceConfig): CompleteConfig {
  return {
    ...defaults, ...config,
    query: config.query ?? {},
    pagination: { ...defaults.pagination, ...config.pagination },
    watermark: { ...defaults.watermark, ...config.watermark },
    retry: { ...defaults.retry, ...config.retry },
  };
}

function pathProblem(value: string, pointer: string): ConfigProblem[] {
  const problem = fieldPathProblem(value);
  return problem ? [{ path: pointer, message: problem }] : [];
}

function configProblems(raw: HttpSourceConfig): ConfigProblem[] {
  const config = complete(raw);
  const problems: ConfigProblem[] = [];
  if (!config.connection) problems.push({ path: '/connection', message: 'choose the HTTP connection to read from' });
  if (/^[a-z][a-z0-9+.-]*:/i.test(config.path) || config.path.startsWith('//')) {
    problems.push({ path: '/path', message: 'the path is appended to the connection URL; give a path such as /purchase-orders, not a full URL' });
  } else {
    const joined = urlUnderBase('http://connection.invalid/base', config.path);
    if ('problem' in joined) problems.push({ path: '/path', message: joined.problem });
  }
  problems.push(...pathProblem(config.recordsPath, '/recordsPath'), ...pathProblem(config.watermark.field, '/watermark/field'));
  const p = config.pagination;
  if ((p.style === 'cursor' || p.style === 'next-url') && !p.nextPath) {
    problems.push({ path: '/pagination/nextPath', message: p.style === 'cursor' ? 'say where the next cursor is in the answer, e.g. meta.nextCursor' : 'say where the next page\'s URL is in the answer, e.g. links.next' });
  } else if (p.nextPath) problems.push(...pathProblem(p.nextPath, '/pagination/nextPath'));
  const param = { page: ['pageParam', p.pageParam], offset: ['offsetParam', p.offsetParam], cursor: ['cursorParam', p.cursorParam] }[p.style as string];
  if (param && !param[1]) problems.push({ path: `/pagination/${param[0]}`, message: 'name the parameter the API pages by' });
  if (config.watermark.param && !config.watermark.field) {
    problems.push({ path: '/watermark/field', message: 'a watermark parameter needs the record field the watermark is taken from' });
  }
  if (config.retry.maxWaitMs < config.retry.backoffMs) problems.push({ path: '/retry/maxWaitMs', message: 'the longest wait must be at least the first back-off' });
  return problems;
}

function summary(raw: HttpSourceConfig): string {
  const config = complete(raw);
  const paging = config.pagination.style === 'none' ? '' : ` · ${config.pagination.style} pages`;
  const mark = config.watermark.field ? ` · new by ${config.watermark.field}` : '';
  return `${config.method} ${config.connection || '(no connection)'}${config.path}${paging}${mark}`;
}

/** After this many malformed pages in a row the source stops asking for more (an API answering garbage past its end). */
const UNREADABLE_IN_A_ROW = 3;

/** The dead letter of a malformed page: where it came from and what it held (secrets hidden, 64 KiB at most). */
function unreadablePage(client: PageClient, reply: PageReply, pageNo: number, error: FlowError): UnreadableInput {
  const url = hideSecrets(client, reply.url);
  const received = hideSecrets(client, new TextDecoder().decode(reply.bytes));
  return new UnreadableInput({ page: pageNo, url, status: reply.status, contentType: reply.header('content-type'), body: keptText(received) }, error, `page ${pageNo}: ${url}`);
}

/** Reads a REST API page by page; see the module comment. */
export const httpSource = defineNode({
  type: 'source.http',
  version: 1,
  title: 'HTTP / REST API',
  description: 'Reads records from a REST API page by page (page, offset, cursor, Link header, next URL), with OAuth2, retries and a watermark.',
  category: 'source',
  inputs: [],
  outputs: [{ id: 'out', title: 'Records' }],
  config: HTTP_SOURCE_CONFIG,
  summary,
  check: (config) => configProblems(config),
  create(raw, setup) {
    const nodeId = setup.nodeId;
    const problems = configProblems(raw);
    if (problems.length > 0) {
      throw new FlowError('permanent', `HTTP source is misconfigured: ${problems.map((p) => p.message).join('; ')}`, { nodeId, field: problems[0].path });
    }
    const config = complete(raw);
    const markOf = config.watermark.field ? compileFieldPath(config.watermark.field) : undefined;
    const bodyOptions = { format: config.format, exactNumbers: config.exactNumbers, repeat: config.xmlRepeat };

    function request(baseUrl: string, params: Record<string, string>, pageNo: number): PageRequest {
      const all = { ...config.query, ...params };
      if (config.method === 'POST') return { method: 'POST', url: baseUrl, body: JSON.stringify(all), pageNo };
      const url = new URL(baseUrl);
      for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
      return { method: 'GET', url: url.href, pageNo };
    }

    async function* readApi(ctx: SourceContext): AsyncIterable<unknown> {
      const conn = ctx.connections.http(config.connection);
      if (!ctx.fetch) throw new FlowError('permanent', `HTTP source "${nodeId}" cannot call APIs here (no HTTP client was given)`, { nodeId });
      const joined = urlUnderBase(conn.baseUrl, config.path);
      if ('problem' in joined) throw new FlowError('permanent', `connection '${config.connection}': ${joined.problem}`, { nodeId, field: '/path' });
      const apiUrl = joined.url;
      const authorizer = createHttpAuthorizer(conn.auth, { connection: config.connection, nodeId, fetch: ctx.fetch, timeoutMs: config.timeoutMs });
      const client: PageClient = {
        connectionName: config.connection, connection: conn, authorizer, fetch: ctx.fetch, sleep: ctx.sleep ?? sleep, signal: ctx.signal,
        nodeId, timeoutMs: config.timeoutMs, retry: config.retry,
        headers: { ...conn.headers, Accept: 'application/json, application/xml;q=0.9, */*;q=0.1' },
        hidden: sensitiveValues(conn.headers, conn.secretValues),
      };
      const since = ctx.watermark ?? (config.watermark.initial || undefined);
      const sinceParams: Record<string, string> = config.watermark.param && since !== undefined ? { [config.watermark.param]: since } : {};
      const pager = createPager(config.pagination, (page) => `page ${pageNo} of connection '${config.connection}' (${page.url.split('?')[0]})`);
      let pageNo = 1;
      let next: PageRequest = request(apiUrl, { ...sinceParams, ...pager.first() }, pageNo);
      let latest: string | undefined;
      let unreadablePages = 0;
      let unreadableInARow = 0;
      for (;;) {
        const reply = await requestPage(client, next);
        const where = describePage(client, next);
        let body: unknown;
        let records: unknown[];
        try {
          body = await parseBody(reply.bytes, reply.header('content-type'), bodyOptions, where);
          records = recordsOf(body, config.recordsPath, where);
          unreadableInARow = 0;
        } catch (err) {
          if (!(err instanceof FlowError) || err.details.code !== 'MALFORMED_PAGE') throw err;
          // A malformed page is dead-lettered; the pages after it are read when the paging allows.
          unreadablePages++;
          const seen = { url: reply.url, body, link: reply.header('link') };
          const after = ++unreadableInARow >= UNREADABLE_IN_A_ROW
            ? { unreachable: `${UNREADABLE_IN_A_ROW} pages in a row could not be read` }
            : pager.afterUnreadable(seen);
          const rest = !after ? '' : 'unreachable' in after
            ? `; the pages after it could not be reached (${after.unreachable}): the next run reads them, from the same watermark`
            : '; the pages after it are read';
          yield unreadablePage(client, reply, pageNo, new FlowError('permanent', `${err.message}${rest}`, { nodeId, code: 'MALFORMED_PAGE' }));
          if (!after || 'unreachable' in after) break;
          next = nextRequest(after, where);
          continue;
        }
        for (const [i, record] of records.entries()) {
          if (ctx.signal.aborted) return;
          if (markOf) {
            const mark = watermarkText(markOf(record));
            if (mark === undefined) {
              throw new FlowError('validation', `${where}, record ${i + 1}: no value at ${config.watermark.field}, the watermark field`, { nodeId, field: config.watermark.field });
            }
            if (latest === undefined || compareWatermarks(mark, latest) > 0) latest = mark;
          }
          yield record;
        }
        const seen: PageSeen = { url: reply.url, records: records.length, body, link: reply.header('link') };
        const after = pager.next(seen);
        if (!after) break;
        next = nextRequest(after, where);
      }
      // With a page dead-lettered the watermark stays: the next run reads that page's records again.
      if (unreadablePages === 0 && latest !== undefined && (since === undefined || compareWatermarks(latest, since) > 0)) ctx.proposeWatermark(latest);

      function nextRequest(after: Exclude<NextPage, null>, where: string): PageRequest {
        if (++pageNo > config.pagination.maxPages) {
          throw new FlowError('permanent', `connection '${config.connection}' still had more pages after ${config.pagination.maxPages} (maxPages); raise it if the API really holds that many`, { nodeId, field: '/pagination/maxPages' });
        }
        if ('params' in after) return request(apiUrl, { ...sinceParams, ...after.params }, pageNo);
        const outside = outsideBase(after.url, conn.baseUrl);
        if (outside) throw new FlowError('permanent', `${where} points to a next page outside connection '${config.connection}' (${outside}); not followed`, { nodeId });
        return { method: 'GET', url: after.url, pageNo };
      }
    }

    return {
      async *read(ctx) {
        if (!ctx.input) {
          yield* readApi(ctx);
          return;
        }
        // A saved answer: one page, nothing called.
        const where = `sample ${ctx.input.name}`;
        const body = await parseBody(await collectBytes(ctx.input.chunks()), null, bodyOptions, where);
        yield* recordsOf(body, config.recordsPath, where);
      },
    };
  },
});
