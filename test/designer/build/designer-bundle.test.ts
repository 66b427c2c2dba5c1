/**
 * What the designer's production build (made by the test run's global setup, as `npm start` serves it)
 * carries: no code generated from strings, so no ajv compiler (the validators are precompiled and a
 * flow's own JSON Schema is left to the server), the operator and admin screens in chunks of
 * their own, not in the entry every screen loads first, and no jsonata or re2js to open a flow (the
 * flow-problems worker loads them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowEditorBundle } from '../../bench/designer-bundle-size.ts';

const ASSETS = resolve(import.meta.dirname, '../../../dist/designer/assets');
const scripts = readdirSync(ASSETS).filter((f) => f.endsWith('.js'));
const text = (file: string) => readFileSync(join(ASSETS, file), 'utf8');
const entry = /<script type="module"[^>]* src="\/assets\/([^"]+)"/.exec(readFileSync(join(ASSETS, '../index.html'), 'utf8'))![1];

describe('designer build', () => {
  it('generates no code from strings: ajv\'s compiler is not shipped', () => {
    expect(scripts.length).toBeGreaterThan(10);
    expect(scripts.filter((f) => text(f).includes('new Function'))).toEqual([]);
  });

  it('keeps the run, operations, reference data and admin screens out of the entry chunk', () => {
    const code = text(entry);
    // Texts each of these screens shows; the flows home (the default screen) stays in the entry.
    expect(code).toContain('Create a flow from a starter');
    for (const screenText of ['Follow run changes as they happen', 'New user…', 'Set (value not shown)']) expect(code).not.toContain(screenText);
  });

  it('opens a flow without jsonata or re2js; with the worker\'s scripts it stays within 400 KB gzipped', () => {
    const bundle = flowEditorBundle();
    const page = bundle.files.filter((f) => f.part === 'page').map((f) => text(f.file.replace(/^assets\//, ''))).join('\n');
    expect(page).toContain('flow-node-title');
    // jsonata's parser error code for a token it did not expect; an error of re2js's own parser.
    expect(page).not.toContain('S0202');
    expect(page).not.toContain('invalid nested repetition operator');
    expect(bundle.withWorkerKb).toBeLessThanOrEqual(400);
  });

  it('starts a flow link\'s requests from a script of its own in index.html, before the entry', () => {
    const html = readFileSync(join(ASSETS, '../index.html'), 'utf8');
    const early = /<script src="\/assets\/(early-requests-[^"]+\.js)"><\/script>/.exec(html);
    expect(early).not.toBeNull();
    expect(html.indexOf(early![0])).toBeLessThan(html.indexOf('<script type="module"'));
    const editor = flowEditorBundle().files.find((f) => /flow-editor-page-/.test(f.file))!;
    expect(text(early![1])).toContain(`/${editor.file}`);
  });
});
