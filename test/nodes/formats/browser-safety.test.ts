/**
 * The parsers and file/webhook sources must run in the designer's browser
 * bundle: only browser-safe imports, and a Vite build of them works in a
 * sandbox that has no Buffer, no process and no Node modules.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const sources = [
  ...readdirSync(join(repo, 'nodes/formats')).filter((f) => f.endsWith('.ts')).map((f) => `nodes/formats/${f}`),
  'nodes/source/file.ts',
  'nodes/source/webhook.ts',
];
const ALLOWED = new Set(['csv-parse/browser/esm', 'saxes', '@streamparser/json']);

describe('browser safety', () => {
  it.each(sources)('%s imports only relative modules and browser-safe packages', (file) => {
    const text = readFileSync(join(repo, file), 'utf8');
    const imports = [...text.matchAll(/^\s*import\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)].filter((m) => !m[1]).map((m) => m[2]);
    for (const specifier of imports) {
      if (specifier.startsWith('.')) continue;
      expect(ALLOWED, `${file} imports ${specifier}`).toContain(specifier);
    }
  });

  it('runs from a Vite browser build with no Buffer or process', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'ledgerflow-formats-'));
    try {
      await build({
        configFile: false,
        root: repo,
        logLevel: 'silent',
        build: {
          outDir,
          minify: false,
          lib: { entry: join(repo, 'test/nodes/formats/browser-entry.ts'), formats: ['iife'], name: 'Formats', fileName: () => 'formats.js' },
        },
      });
      const encoder = new TextEncoder();
      const sandbox: Record<string, unknown> = {
        TextDecoder,
        encodeUtf8: (text: string) => Array.from(encoder.encode(text)),
        setTimeout,
        clearTimeout,
        queueMicrotask,
      };
      vm.createContext(sandbox);
      // Byte arrays must belong to the sandbox's own realm, as they would in a page.
      vm.runInContext('globalThis.TextEncoder = class { encode(s = "") { return new Uint8Array(encodeUtf8(s)); } };', sandbox);
      vm.runInContext(`${readFileSync(join(outDir, 'formats.js'), 'utf8')}; globalThis.Formats = Formats;`, sandbox);
      expect(vm.runInContext('typeof Buffer + "/" + typeof process', sandbox)).toBe('undefined/undefined');
      const run = vm.runInContext('(text, name, options) => Formats.collectAll(Formats.parseDocument(Formats.chunked(text, 3), name, options))', sandbox) as (
        text: string,
        name: string,
        options?: unknown,
      ) => Promise<unknown[]>;
      expect(await run('id;amount\r1;1.234,50\r2;-0,75\r', 'x.csv', { csv: { delimiter: ';', decimalComma: true } })).toEqual([
        { id: '1', amount: '1234.50' },
        { id: '2', amount: '-0.75' },
      ]);
      expect(await run('', 'empty.csv')).toEqual([]);
      await expect(run('a,b\n1\n', 'bad.csv')).rejects.toThrow('bad.csv line 2: the row has 1 field but the header has 2 columns');
      expect(await run('<a xmlns="urn:x"><b c="1">Zürich</b></a>', 'x.xml')).toEqual([{ a: { '@xmlns': 'urn:x', b: { '@c': '1', '#text': 'Zürich' } } }]);
      expect(await run('{"items":[{"n":1.50}]}', 'x.json', { json: { recordPath: 'items', exactNumbers: true } })).toEqual([{ n: '1.50' }]);
      expect(await run('{"a":1}\n{"a":2}\n', 'x.jsonl')).toEqual([{ a: 1 }, { a: 2 }]);
      // XML documents out (target.file, format xml) in the page: xmlbuilder2 needs no Node either.
      const xml = await (vm.runInContext('(r, o) => Formats.xmlText(r, o)', sandbox) as (r: unknown, o?: unknown) => Promise<string>)(
        { Invoice: { '@xmlns': 'urn:inv', ID: 'A&B', Line: [{ '@n': '1' }, { '@n': '2' }] } }, { namespaces: { cbc: 'urn:cbc' }, prefixes: { leaf: 'cbc' } });
      expect(await run(xml, 'x.xml')).toEqual([{ Invoice: { '@xmlns': 'urn:inv', ID: 'A&B', Line: [{ '@n': '1' }, { '@n': '2' }] } }]);
      expect(xml).toContain('<cbc:ID>A&amp;B</cbc:ID>');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
