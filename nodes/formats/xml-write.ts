/**
 * JSON → XML: the inverse of the one convention (XML-CONVENTION.md), so a
 * record shaped like what the XML source reads is written back as the same
 * document. Elements come out in the order of the object's keys; lists are
 * repeated elements; `@name` is an attribute and `#text` the text beside
 * attributes; the root's `@xmlns` is the document's default namespace.
 *
 * The convention drops prefixes when reading; when writing, a namespace other
 * than the default one is chosen by prefix: a key written `cbc:ID`, or the
 * `prefixes` rule (UBL: elements holding text are `cbc:`, elements holding
 * elements are `cac:`), each prefix declared once on the root from
 * `namespaces`. Names, text and attribute values are checked and escaped by
 * xmlbuilder2, so what comes out is always well-formed.
 *
 * Browser-safe; xmlbuilder2 is loaded on the first document written, from its
 * self-contained bundle (its main module needs Node's `events`).
 */
import { FlowError } from '../errors.ts';

export interface XmlWriteOptions {
  /** Prefix → namespace URI, declared on the root (`cac`, `cbc` for UBL). */
  namespaces?: Record<string, string>;
  /**
   * Prefix given to elements below the root written without one: `leaf` for
   * elements holding only text (or attributes), `branch` for elements holding
   * elements. UBL 2.1: `{ "leaf": "cbc", "branch": "cac" }`. Unset: the
   * default namespace.
   */
  prefixes?: { leaf?: string; branch?: string };
  /** `<?xml version="1.0" encoding="UTF-8"?>` first (default true). */
  declaration?: boolean;
  /** Indented, one element a line (default true). Whitespace between elements is not text, so nothing changes on reading. */
  indent?: boolean;
}

const XMLNS = 'http://www.w3.org/2000/xmlns/';

type XmlBuilder = typeof import('xmlbuilder2');
type Element = ReturnType<ReturnType<XmlBuilder['create']>['ele']>;

let builder: XmlBuilder | undefined;

/** Loads the XML writer (once); call before `writeXml`. */
export async function loadXmlWriter(): Promise<void> {
  if (builder) return;
  const loaded = (await import('xmlbuilder2/lib/xmlbuilder2.min.js')) as XmlBuilder & { default?: XmlBuilder };
  builder = typeof loaded.create === 'function' ? loaded : loaded.default!;
}

/** Why these options cannot be used, or null. */
export function xmlWriteOptionsProblem(options: XmlWriteOptions): { path: string; message: string } | null {
  for (const [prefix, uri] of Object.entries(options.namespaces ?? {})) {
    if (!/^[A-Za-z_][\w.-]*$/.test(prefix) || /^xml/i.test(prefix)) return { path: `/namespaces/${prefix}`, message: `'${prefix}' is not a usable namespace prefix` };
    if (typeof uri !== 'string' || uri === '') return { path: `/namespaces/${prefix}`, message: `namespace prefix '${prefix}' needs a URI` };
  }
  for (const which of ['leaf', 'branch'] as const) {
    const prefix = options.prefixes?.[which];
    if (prefix && !Object.hasOwn(options.namespaces ?? {}, prefix)) {
      return { path: `/prefixes/${which}`, message: `prefix '${prefix}' is not declared under namespaces` };
    }
  }
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function scalar(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new FlowError('permanent', `${where}: ${value} cannot be written as XML text`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new FlowError('permanent', `${where}: a ${Array.isArray(value) ? 'list' : typeof value} cannot be an attribute or text`);
}

/** True when a value written as an element holds child elements. */
function holdsElements(value: unknown): boolean {
  return isObject(value) && Object.keys(value).some((k) => !k.startsWith('@') && k !== '#text');
}

/**
 * The XML text of one record: `{ "Document": { "@xmlns": "urn:…", … } }`.
 * Throws a permanent FlowError naming the element path when the record has no
 * single root, a name is not an XML name, or a value cannot be written.
 */
export function writeXml(record: unknown, options: XmlWriteOptions = {}): string {
  if (!builder) throw new Error('writeXml: call loadXmlWriter() first');
  if (!isObject(record)) throw new FlowError('permanent', 'an XML document is written from a record with one field, its root element');
  const roots = Object.keys(record).filter((k) => record[k] !== undefined && record[k] !== null);
  if (roots.length !== 1) {
    throw new FlowError('permanent', `an XML document needs exactly one root element, and the record has ${roots.length ? `${roots.length}: ${roots.join(', ')}` : 'none'}`);
  }
  const namespaces = options.namespaces ?? {};
  const rootName = roots[0];
  const rootValue = record[rootName];
  const defaultNs = isObject(rootValue) && typeof rootValue['@xmlns'] === 'string' ? rootValue['@xmlns'] : null;

  const nsOf = (qname: string, inherited: string | null, where: string): string | null => {
    const colon = qname.indexOf(':');
    if (colon < 0) return inherited;
    const prefix = qname.slice(0, colon);
    if (!Object.hasOwn(namespaces, prefix)) throw new FlowError('permanent', `${where}: prefix '${prefix}' is not declared under namespaces`);
    return namespaces[prefix];
  };
  const qualified = (name: string, value: unknown, depth: number): string => {
    if (name.includes(':') || depth === 0) return name;
    const prefix = holdsElements(value) ? options.prefixes?.branch : options.prefixes?.leaf;
    return prefix ? `${prefix}:${name}` : name;
  };

  const doc = builder.create(options.declaration === false ? {} : { version: '1.0', encoding: 'UTF-8' });

  const add = (parent: Element | null, name: string, value: unknown, inherited: string | null, where: string, depth: number): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (Array.isArray(item)) throw new FlowError('permanent', `${where}[${i}]: a list inside a list has no XML form`);
        add(parent, name, item, inherited, `${where}[${i}]`, depth);
      });
      return;
    }
    const qname = qualified(name, value, depth);
    const own = isObject(value) && typeof value['@xmlns'] === 'string' ? (value['@xmlns'] as string) : null;
    const ns = own ?? nsOf(qname, inherited, where);
    let el: Element;
    try {
      el = parent ? parent.ele(ns, qname) : doc.ele(ns, qname);
    } catch (err) {
      throw new FlowError('permanent', `${where}: '${qname}' is not an XML element name (${(err as Error).message})`);
    }
    if (depth === 0) {
      for (const [prefix, uri] of Object.entries(namespaces)) el.att(XMLNS, `xmlns:${prefix}`, uri);
    }
    if (!isObject(value)) {
      const text = scalar(value, where);
      if (text !== '') el.txt(text);
      return;
    }
    // Attributes first, then the text, then the child elements in key order.
    for (const [key, v] of Object.entries(value)) {
      if (!key.startsWith('@') || key === '@xmlns' || v === undefined || v === null) continue;
      const attr = key.slice(1);
      const attrNs = attr.includes(':') ? nsOf(attr, null, `${where}/${key}`) : null;
      try {
        el.att(attrNs, attr, scalar(v, `${where}/${key}`));
      } catch (err) {
        if (err instanceof FlowError) throw err;
        throw new FlowError('permanent', `${where}/${key}: '${attr}' is not an XML attribute name (${(err as Error).message})`);
      }
    }
    if (value['#text'] !== undefined && value['#text'] !== null) {
      const text = scalar(value['#text'], `${where}/#text`);
      if (text !== '') el.txt(text);
    }
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith('@') || key === '#text') continue;
      add(el, key, v, ns, `${where}/${key}`, depth + 1);
    }
  };

  add(null, rootName, rootValue, defaultNs, rootName, 0);
  try {
    return `${doc.end({ prettyPrint: options.indent !== false, wellFormed: true, headless: options.declaration === false })}\n`;
  } catch (err) {
    throw new FlowError('permanent', `the record is not writable as XML: ${(err as Error).message}`);
  }
}
