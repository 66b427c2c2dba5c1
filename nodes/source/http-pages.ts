/**
 * Pages of a REST API: how the HTTP source reads one answer (JSON or XML,
 * records at a path) and asks for the next one — by page number, by offset,
 * by a cursor found in the body, by the `Link: <…>; rel="next"` header, or by
 * a next-page URL found in the body. Pure and browser-safe.
 */
import { FlowError } from '../errors.ts';
import { compileFieldPath, type FieldGetter } from '../field-path.ts';
import { bytesOf } from '../formats/bytes.ts';
import { JsonSyntaxError, parseJsonText } from '../formats/json-syntax.ts';
import { recordProblem, recordLimitsOf, type RecordLimits } from '../formats/record-limits.ts';
import { parseXml } from '../formats/xml.ts';

export type PaginationStyle = 'none' | 'page' | 'offset' | 'cursor' | 'link' | 'next-url';

export interface PaginationConfig {
  style: PaginationStyle;
  /** `page`: the parameter carrying the page number. */
  pageParam: string;
  /** `page`: the number of the first page (0 or 1). */
  firstPage: number;
  /** `offset`: the parameter carrying the number of records to skip. */
  offsetParam: string;
  /** `cursor`: the parameter the cursor is sent back in. */
  cursorParam: string;
  /** `cursor`: dotted path of the next cursor in the body; `next-url`: of the next page's URL. */
  nextPath: string;
  /** The parameter carrying the page size; empty: none is sent. */
  sizeParam: string;
  pageSize: number;
  /** Reading stops with an error after this many pages (a guard against an API that never ends). */
  maxPages: number;
}

/** What the pager needs to know of a page it has read. */
export interface PageSeen {
  url: string;
  records: number;
  body: unknown;
  link: string | null;
}

/** The next page: the same request with other parameters, another URL, or none. */
export type NextPage = { params: Record<string, string> } | { url: string } | null;

export interface Pager {
  /** Parameters of the first page. */
  first(): Record<string, string>;
  /** The next page after `page`; throws a FlowError when the API repeats itself. */
  next(page: PageSeen): NextPage;
  /**
   * The next page after one whose records could not be read (`body` undefined: not even the body
   * was), or why the pages after it cannot be reached (the cursor is in that body …).
   */
  afterUnreadable(page: Omit<PageSeen, 'records'>): NextPage | { unreachable: string };
}

/** The `rel="next"` target of a `Link` header, or null. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]);
    if (rel && (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) return m[1];
  }
  return null;
}

/** A pager for `config`; `describe` names a page in messages. */
export function createPager(config: PaginationConfig, describe: (page: PageSeen) => string): Pager {
  const size = (): Record<string, string> => (config.sizeParam ? { [config.sizeParam]: String(config.pageSize) } : {});
  // A short page is the last when the page size is sent; otherwise only an empty one is.
  const lastPage = (records: number) => records === 0 || (config.sizeParam !== '' && records < config.pageSize);
  const nextAt: FieldGetter | undefined = config.nextPath ? compileFieldPath(config.nextPath) : undefined;
  let pageNo = config.firstPage;
  let offset = 0;
  let previous: string | undefined;

  const repeated = (page: PageSeen, value: string, what: string): FlowError =>
    new FlowError('permanent', `${describe(page)} gave the same ${what} as the page before (${value.slice(0, 200)}); stopped rather than read the same page forever`);

  const pager: Pager = {
    first() {
      if (config.style === 'page') return { [config.pageParam]: String(config.firstPage), ...size() };
      if (config.style === 'offset') return { [config.offsetParam]: '0', ...size() };
      return config.style === 'cursor' ? size() : {};
    },
    next(page) {
      switch (config.style) {
        case 'none':
          return null;
        case 'page':
          if (lastPage(page.records)) return null;
          pageNo++;
          return { params: { [config.pageParam]: String(pageNo), ...size() } };
        case 'offset':
          if (lastPage(page.records)) return null;
          offset += page.records;
          return { params: { [config.offsetParam]: String(offset), ...size() } };
        case 'cursor': {
          const cursor = nextAt!(page.body);
          if (cursor === undefined || cursor === null || cursor === '' || cursor === false) return null;
          if (typeof cursor === 'object') throw new FlowError('permanent', `${describe(page)}: the cursor at ${config.nextPath} is not text or a number`);
          const text = String(cursor);
          if (text === previous) throw repeated(page, text, 'cursor');
          previous = text;
          return { params: { [config.cursorParam]: text, ...size() } };
        }
        case 'link':
        case 'next-url': {
          const target = config.style === 'link' ? nextLink(page.link) : nextAt!(page.body);
          if (target === undefined || target === null || target === '') return null;
          if (typeof target !== 'string') throw new FlowError('permanent', `${describe(page)}: the next-page URL at ${config.nextPath} is not text`);
          let url: string;
          try {
            url = new URL(target, page.url).href;
          } catch {
            throw new FlowError('permanent', `${describe(page)} gave a next-page URL that is not a URL: ${target.slice(0, 200)}`);
          }
          if (url === page.url || url === previous) throw repeated(page, url, 'next-page URL');
          previous = url;
          return { url };
        }
      }
    },
    afterUnreadable(page) {
      // Counted as a full page: the page number or the offset moves on as after one.
      const full: PageSeen = { ...page, records: config.pageSize };
      switch (config.style) {
        case 'offset':
          if (!config.sizeParam) return { unreachable: 'the API pages by offset and no page size is sent, so where the next page starts is unknown' };
          return pager.next(full);
        case 'cursor':
        case 'next-url':
          if (page.body === undefined) {
            return { unreachable: `the ${config.style === 'cursor' ? 'next cursor' : 'next page\'s URL'} (${config.nextPath}) is in this page's unreadable body` };
          }
          return pager.next(full);
        default:
          return pager.next(full);
      }
    },
  };
  return pager;
}

/** Why `url` is not under the connection's `baseUrl` (another origin, or outside its path), or null. */
export function outsideBase(url: string, baseUrl: string): string | null {
  const base = new URL(baseUrl);
  const target = new URL(url);
  const basePath = base.pathname.replace(/\/+$/, '');
  if (target.origin !== base.origin) return `${target.origin} is not the connection's ${base.origin}`;
  if (target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`)) return `${target.pathname} is outside the connection's base path ${basePath || '/'}`;
  return null;
}

export interface BodyOptions {
  format: 'auto' | 'json' | 'xml';
  exactNumbers: boolean;
  /** XML element names that are always lists. */
  repeat: string[];
  limits?: Partial<RecordLimits>;
}

function firstCharacter(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 64));
  return text.trimStart().charAt(0);
}

/** The whole answer as JSON (XML by the documented convention); `contentType` decides for `auto`. */
export async function parseBody(bytes: Uint8Array, contentType: string | null, options: BodyOptions, where: string): Promise<unknown> {
  const xml = options.format === 'xml' || (options.format === 'auto' && (contentType ? /[/+]xml\b/i.test(contentType) : firstCharacter(bytes) === '<'));
  if (bytes.length === 0) throw new FlowError('validation', `${where} answered with an empty body; expected ${xml ? 'an XML' : 'a JSON'} document`);
  if (!xml) {
    try {
      return parseJsonText(new TextDecoder().decode(bytes), options.exactNumbers);
    } catch (err) {
      const detail = err instanceof JsonSyntaxError ? err.message : String((err as Error)?.message ?? err);
      throw new FlowError('validation', `${where} is not valid JSON: ${detail}`, { code: 'MALFORMED_PAGE' });
    }
  }
  try {
    for await (const document of parseXml(bytesOf(bytes), 'the answer', { repeat: options.repeat })) return document;
  } catch (err) {
    throw new FlowError('validation', `${where} is not well-formed XML: ${(err as Error).message}`, { code: 'MALFORMED_PAGE' });
  }
  throw new FlowError('validation', `${where} holds no XML document`, { code: 'MALFORMED_PAGE' });
}

function parentPresent(body: unknown, path: string): boolean {
  const cut = path.lastIndexOf('.');
  if (cut === -1) return body !== null && typeof body === 'object';
  const parent = compileFieldPath(path.slice(0, cut))(body);
  return parent === '' || (parent !== null && typeof parent === 'object');
}

/**
 * The records of a page: the list at `recordsPath` (one object there is one
 * record; null or absent list under a present parent is an empty page). Each
 * record is held to the record limits.
 */
export function recordsOf(body: unknown, recordsPath: string, where: string, limits?: Partial<RecordLimits>): unknown[] {
  const found = compileFieldPath(recordsPath)(body);
  let records: unknown[];
  if (Array.isArray(found)) records = found;
  else if (found === null) records = [];
  else if (found !== undefined && typeof found === 'object') records = [found];
  else if (found === undefined && parentPresent(body, recordsPath)) records = [];
  else if (found === undefined) throw new FlowError('validation', `${where} has nothing at "${recordsPath}", where the records should be`, { code: 'MALFORMED_PAGE', field: recordsPath });
  else throw new FlowError('validation', `${where} has ${JSON.stringify(found).slice(0, 60)} at "${recordsPath}", not a list of records`, { code: 'MALFORMED_PAGE', field: recordsPath });
  const checked = recordLimitsOf(limits);
  records.forEach((record, i) => {
    const problem = recordProblem(record, checked);
    if (problem) throw new FlowError('validation', `${where}, record ${i + 1}: ${problem}`, { code: 'RECORD_LIMIT' });
  });
  return records;
}
