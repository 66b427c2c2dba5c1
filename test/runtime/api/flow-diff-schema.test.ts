/**
 * The API's FlowDiff schema holds every kind of change the diff reports
 * (nodes added, removed and changed in type, version, label, retry and config;
 * expression line diffs; keyed items reordered; edges; moves), strictly: a
 * field the schema does not declare fails the parse, as it fails a response.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import { diffFlows } from '../../../nodes/flow-diff.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { FlowDiffSchema } from '../../../runtime/api/contract/schemas.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const before: FlowDocument = JSON.parse(readFileSync(resolve(ROOT, 'flows/ubl-invoice-to-ap/flow.json'), 'utf8'));

function changed(): FlowDocument {
  const doc: FlowDocument = structuredClone(before);
  doc.name = `${doc.name} (fixed)`;
  const [source, map, check] = doc.nodes;
  map.config.expression = `${String(map.config.expression)}\n/* reviewed */`;
  map.label = 'Map to AP';
  map.retry = { attempts: 5, backoffMs: 1000 };
  check.typeVersion += 1;
  const rules = check.config.rules as unknown[];
  if (rules.length > 1) [rules[0], rules[1]] = [rules[1], rules[0]];
  source.position = { x: source.position.x + 40, y: source.position.y };
  doc.nodes = doc.nodes.filter((n) => n.id !== doc.nodes.at(-1)!.id);
  doc.nodes.push({ id: 'audit-copy', type: 'target.file', typeVersion: 1, position: { x: 0, y: 400 }, config: { path: 'audit.jsonl', format: 'jsonl', idempotencyKey: '$sourceKey' } });
  doc.edges = doc.edges.filter((e) => doc.nodes.some((n) => n.id === e.target));
  doc.edges.push({ id: 'to-audit', source: check.id, target: 'audit-copy' });
  return doc;
}

describe('FlowDiff in the API contract', () => {
  const diff = diffFlows(before, changed(), { from: 'version 1', to: 'version 2' }, { catalog });

  it('parses every kind of change the diff reports, strictly', () => {
    expect(diff.nodes.map((n) => n.kind).sort()).toEqual(['added', 'changed', 'changed', 'removed']);
    expect(diff.layout).toHaveLength(1);
    expect(diff.edges.length).toBeGreaterThan(0);
    expect(diff.nodes.some((n) => n.kind === 'changed' && n.config.some((c) => c.lines?.length))).toBe(true);
    expect(FlowDiffSchema.parse(diff)).toEqual(diff);
  });

  it('refuses a field it does not declare, at any depth', () => {
    expect(FlowDiffSchema.safeParse({ ...diff, extra: 1 }).success).toBe(false);
    const nodes = diff.nodes.map((n) => ({ ...n, note: 'undeclared' }));
    expect(FlowDiffSchema.safeParse({ ...diff, nodes }).success).toBe(false);
    expect(FlowDiffSchema.safeParse({ ...diff, summary: { ...diff.summary, layoutOnly: 'no' } }).success).toBe(false);
  });
});
