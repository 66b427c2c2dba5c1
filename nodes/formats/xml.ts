/**
 * XML → records with saxes (streaming SAX), converted to JSON by the one
 * convention written down in XML-CONVENTION.md. With `recordElement`, each
 * matching element becomes a record as soon as it closes and nothing outside
 * records is accumulated, so a statement with a million entries streams.
 */
import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import { decodeText, peekBytes } from './bytes.ts';
import { formatError, type TextPosition } from './format-error.ts';
import { FlowError } from '../errors.ts';

export interface XmlOptions {
  /**
   * Path of local names from the root, e.g. `Document/BkToCstmrStmt/Stmt`; each
   * matching element is one record (`*` matches any one name). Default: the
   * whole document is one record.
   */
  recordElement?: string;
  /** Local names that are always lists, even when they occur once (e.g. `InvoiceLine`, `Ntry`). */
  repeat?: string[];
  /** Text encoding; by default taken from the BOM or the XML declaration, else utf-8. */
  encoding?: string;
}

type XmlObject = Record<string, unknown>;

interface Frame {
  name: string;
  /** Attributes and child elements; null while the element has neither. */
  obj: XmlObject | null;
  hasChildren: boolean;
  text: string;
}

interface Opened extends TextPosition {
  name: string;
}

/** Parses an XML byte stream into records; see XML-CONVENTION.md for the JSON shape. */
export async function* parseXml(
  chunks: AsyncIterable<Uint8Array>,
  fileName: string,
  options: XmlOptions = {},
): AsyncIterable<unknown> {
  const recordPath = (options.recordElement ?? '').split('/').map((s) => s.trim()).filter((s) => s.length > 0);
  const repeat = new Set(options.repeat ?? []);
  const { head, stream } = await peekBytes(chunks, 256);
  const encoding = options.encoding || sniffXmlEncoding(head);

  const parser = new SaxesParser({ xmlns: true, position: true });
  const records: unknown[] = [];
  const path: string[] = [];
  const opened: Opened[] = [];
  let lastClosed: Opened | undefined;
  let rootUri = '';
  let frames: Frame[] | null = null;

  const fail = (message: string, at: TextPosition): never => {
    throw formatError(fileName, message, { code: 'XML' }, at);
  };

  parser.on('opentagstart', (tag) => {
    opened.push({ name: tag.name, line: parser.line, column: Math.max(1, parser.column - tag.name.length - 1) });
  });

  parser.on('opentag', (tag: SaxesTagNS) => {
    const local = tag.local;
    path.push(local);
    if (path.length === 1) {
      rootUri = tag.uri;
      if (recordPath.length > 0 && !namesMatch(recordPath[0], local)) {
        fail(`the root element is <${tag.name}>, so no element matches record path ${recordPath.join('/')}`, opened[0]);
      }
    }
    if (frames) {
      frames.push(openFrame(local, tag.attributes as Record<string, SaxesAttributeNS>));
    } else if (recordPath.length === 0 ? path.length === 1 : matchesPath(recordPath, path)) {
      frames = [openFrame(local, tag.attributes as Record<string, SaxesAttributeNS>)];
    }
  });

  const onText = (text: string) => {
    if (!frames) return;
    const top = frames[frames.length - 1];
    // Indentation between child elements is layout, not content.
    if (top.hasChildren && isBlank(text)) return;
    top.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.on('closetag', () => {
    path.pop();
    lastClosed = opened.pop();
    if (!frames) return;
    const frame = frames.pop()!;
    const value = closeFrame(frame);
    if (frames.length > 0) {
      addChild(frames[frames.length - 1], frame.name, value, repeat);
    } else {
      records.push({ [frame.name]: recordBody(value, rootUri) });
      frames = null;
    }
  });

  parser.on('error', (err: Error) => {
    const message = err.message.replace(/^\d+:\d+: /, '');
    const here = { line: parser.line, column: parser.column };
    const unclosed = /^unclosed tag: (.+)$/.exec(message);
    if (unclosed) {
      const tag = opened[opened.length - 1];
      fail(`unclosed tag <${unclosed[1]}> (the file ends before it is closed; is it truncated?)`, tag ?? here);
    }
    if (message === 'unexpected close tag.' && lastClosed) {
      fail(`tag <${lastClosed.name}> opened at line ${lastClosed.line} is not closed before its parent's closing tag`, here);
    }
    fail(message.replace(/\.$/, ''), here);
  });

  const write = (text: string | null) => {
    try {
      if (text === null) parser.close();
      else parser.write(text);
    } catch (err) {
      if (err instanceof FlowError) throw err;
      throw formatError(fileName, String((err as Error)?.message ?? err), { cause: err }, { line: parser.line, column: parser.column });
    }
  };

  for await (const text of decodeText(stream, fileName, encoding)) {
    write(text);
    yield* records.splice(0);
  }
  write(null);
  yield* records.splice(0);
}

function openFrame(name: string, attributes: Record<string, SaxesAttributeNS>): Frame {
  let obj: XmlObject | null = null;
  for (const key in attributes) {
    const attr = attributes[key];
    // Namespace declarations are plumbing; the root's namespace is kept as "@xmlns".
    if (attr.prefix === 'xmlns' || attr.name === 'xmlns') continue;
    obj ??= {};
    setKey(obj, `@${attr.local}`, attr.value);
  }
  return { name, obj, hasChildren: false, text: '' };
}

function closeFrame(frame: Frame): unknown {
  if (!frame.hasChildren) {
    if (frame.obj === null) return frame.text;
    if (frame.text !== '') frame.obj['#text'] = frame.text;
    return frame.obj;
  }
  if (!isBlank(frame.text)) frame.obj!['#text'] = frame.text;
  return frame.obj;
}

function addChild(parent: Frame, name: string, value: unknown, repeat: Set<string>): void {
  const obj = (parent.obj ??= {});
  if (!parent.hasChildren) {
    parent.hasChildren = true;
    if (isBlank(parent.text)) parent.text = '';
  }
  if (!Object.hasOwn(obj, name)) {
    setKey(obj, name, repeat.has(name) ? [value] : value);
    return;
  }
  // Element values are never arrays themselves, so an array here means "repeated".
  const current = obj[name];
  if (Array.isArray(current)) current.push(value);
  else obj[name] = [current, value];
}

/** The record's root value, carrying the document namespace like an attribute. */
function recordBody(value: unknown, uri: string): unknown {
  if (!uri) return value;
  if (typeof value === 'string') return value === '' ? { '@xmlns': uri } : { '@xmlns': uri, '#text': value };
  return { '@xmlns': uri, ...(value as XmlObject) };
}

/** Plain assignment, except that an element named `__proto__` stays an ordinary key. */
function setKey(obj: XmlObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

function namesMatch(pattern: string, name: string): boolean {
  return pattern === '*' || pattern === name;
}

function matchesPath(pattern: string[], path: string[]): boolean {
  if (pattern.length !== path.length) return false;
  for (let i = 0; i < path.length; i++) if (!namesMatch(pattern[i], path[i])) return false;
  return true;
}

function isBlank(text: string): boolean {
  return /^[ \t\r\n]*$/.test(text);
}

/** The encoding named by the BOM or the XML declaration; utf-8 when neither says. */
export function sniffXmlEncoding(head: Uint8Array): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0x3c && head[1] === 0x00) return 'utf-16le';
  if (head[0] === 0x00 && head[1] === 0x3c) return 'utf-16be';
  let start = '';
  for (let i = 0; i < Math.min(head.length, 256); i++) start += String.fromCharCode(head[i]);
  const m = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(start);
  return m ? m[1] : 'utf-8';
}
