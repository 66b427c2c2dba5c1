/**
 * JSON → XML is the inverse of the XML convention: every real UBL and
 * ISO 20022 document read by the XML source, written back, reads as the same
 * record, and its elements come out in the same order and namespaces.
 */
import { readdirSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '../../../nodes/formats/bytes.ts';
import { parseXml } from '../../../nodes/formats/xml.ts';
import { loadXmlWriter, writeXml, xmlWriteOptionsProblem } from '../../../nodes/formats/xml-write.ts';
import { UBL_WRITE, collect, realBytes } from './helpers.ts';

const REAL = new URL('../../../../shared/data/real/', import.meta.url);
const ublFiles = readdirSync(new URL('ubl/', REAL)).map((f) => `ubl/${f}`);
const isoFiles = readdirSync(new URL('iso20022/', REAL)).map((f) => `iso20022/${f}`);

async function readOne(bytes: Uint8Array | string): Promise<unknown> {
  const records = await collect(parseXml(bytesOf(bytes), 'doc.xml', {}));
  expect(records).toHaveLength(1);
  return records[0];
}

/** Every element as {namespace URI}local, in document order. */
function elementNames(xml: string): string[] {
  const names: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on('opentag', (tag) => names.push(`{${tag.uri}}${tag.local}`));
  parser.write(xml).close();
  return names;
}

describe('XML writer: the inverse of the convention', () => {
  it.each([...ublFiles, ...isoFiles])('%s reads back as the same record, same elements in the same order and namespaces', async (file) => {
    await loadXmlWriter();
    const original = realBytes(file);
    const record = await readOne(original);
    const xml = writeXml(record, file.startsWith('ubl/') ? UBL_WRITE : {});
    expect(await readOne(xml)).toEqual(record);
    const originalText = new TextDecoder().decode(original);
    // ext:UBLExtensions keep their own prefix only when the mapping writes one; none of the samples has them.
    expect(elementNames(xml)).toEqual(elementNames(originalText));
  });

  it('writes attributes, text beside attributes, repeated elements, empty elements and escapes', async () => {
    await loadXmlWriter();
    const record = {
      Document: {
        '@xmlns': 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09',
        Tx: [{ Amt: { '@Ccy': 'EUR', '#text': '10.50' }, Nm: 'Smith & Sons <GmbH>' }, { Amt: { '@Ccy': 'EUR', '#text': '0.01' }, Nm: '"quoted"' }],
        Empty: '',
        Flag: { '@set': 'yes' },
      },
    };
    const xml = writeXml(record);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">')).toBe(true);
    expect(xml).toContain('<Nm>Smith &amp; Sons &lt;GmbH&gt;</Nm>');
    expect(await readOne(xml)).toEqual(record);
    // Numbers and booleans are written as their text; null and absent fields are left out.
    expect(await readOne(writeXml({ R: { n: 12.5, b: true, gone: null } }))).toEqual({ R: { n: '12.5', b: 'true' } });
  });

  it('an explicit prefix wins over the rule; an undeclared prefix is refused, naming the element', async () => {
    await loadXmlWriter();
    const xml = writeXml({ Invoice: { '@xmlns': 'urn:inv', 'ext:UBLExtensions': { 'ext:UBLExtension': '' }, ID: '1' } }, {
      ...UBL_WRITE, namespaces: { ...UBL_WRITE.namespaces, ext: 'urn:ext' },
    });
    expect(elementNames(xml)).toEqual(['{urn:inv}Invoice', '{urn:ext}UBLExtensions', '{urn:ext}UBLExtension', `{${UBL_WRITE.namespaces!.cbc}}ID`]);
    expect(() => writeXml({ Invoice: { 'x:ID': '1' } })).toThrow(/Invoice\/x:ID: prefix 'x' is not declared/);
  });

  it('refuses what has no XML form, naming where', async () => {
    await loadXmlWriter();
    expect(() => writeXml({ a: '1', b: '2' })).toThrow(/exactly one root element, and the record has 2: a, b/);
    expect(() => writeXml(['x'])).toThrow(/one field, its root element/);
    expect(() => writeXml({ R: { 'bad name': '1' } })).toThrow(/R\/bad name: 'bad name' is not an XML element name/);
    expect(() => writeXml({ R: { L: [['x']] } })).toThrow(/R\/L\[0\]: a list inside a list/);
    expect(() => writeXml({ R: { A: { '@at': { x: 1 } } } })).toThrow(/R\/A\/@at: a object cannot be an attribute/);
    expect(() => writeXml({ R: 'bell \u0007' })).toThrow(/not writable as XML/);
  });

  it('checks its options', () => {
    expect(xmlWriteOptionsProblem(UBL_WRITE)).toBeNull();
    expect(xmlWriteOptionsProblem({ prefixes: { leaf: 'cbc' } })?.message).toMatch(/'cbc' is not declared/);
    expect(xmlWriteOptionsProblem({ namespaces: { '1x': 'urn:a' } })?.message).toMatch(/not a usable namespace prefix/);
  });
});
