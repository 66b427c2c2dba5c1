/**
 * The README's "Project layout" names every folder of runtime/ and nodes/ with its one responsibility
 * (a folder added without a row once went unnoticed: runtime/alerts/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const layout = readFileSync(resolve(ROOT, 'README.md'), 'utf8').split('## Project layout')[1] ?? '';
const folders = (dir: string) => readdirSync(resolve(ROOT, dir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe('README project layout', () => {
  it('has a row for every folder of runtime/', () => {
    expect(folders('runtime').filter((d) => !layout.includes(`\`runtime/${d}/\``))).toEqual([]);
  });

  it('names every folder of nodes/ in the nodes/ row', () => {
    const row = layout.split('\n').find((l) => l.startsWith('| `nodes/`')) ?? '';
    expect(folders('nodes').filter((d) => !row.includes(`\`${d}/\``))).toEqual([]);
  });
});
