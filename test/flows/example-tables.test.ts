/**
 * The examples share embedded databases by connection name (`ap`, `erp` …) when `npm start` loads them all:
 * two examples creating the same table would leave one of them writing into the other's columns (the
 * three-way-match example once created its own `ap_invoice_line` beside the UBL example's).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const FLOWS = resolve(import.meta.dirname, '../../flows');

/** Tables and views a setup script creates (IF NOT EXISTS, OR REPLACE or plain). */
function createdRelations(sql: string): string[] {
  const pattern = /create\s+(?:or\s+replace\s+)?(?:table|view)\s+(?:if\s+not\s+exists\s+)?"?([a-z_][a-z0-9_]*)"?/gi;
  return [...sql.matchAll(pattern)].map((m) => m[1].toLowerCase());
}

describe('example flows', () => {
  it('finds the tables a setup script creates', () => {
    expect(createdRelations('CREATE TABLE IF NOT EXISTS ap_invoice (x int);\ncreate or replace view unapplied_cash as select 1;\ncreate table "Cells" ()'))
      .toEqual(['ap_invoice', 'unapplied_cash', 'cells']);
  });

  it('never create the same table or view in two examples', () => {
    const owners = new Map<string, string[]>();
    for (const flow of readdirSync(FLOWS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
      const setup = join(FLOWS, flow, 'setup.sql');
      if (!existsSync(setup)) continue;
      for (const name of new Set(createdRelations(readFileSync(setup, 'utf8')))) owners.set(name, [...(owners.get(name) ?? []), flow]);
    }
    expect(owners.size).toBeGreaterThan(5);
    expect([...owners].filter(([, flows]) => flows.length > 1)).toEqual([]);
  });
});
