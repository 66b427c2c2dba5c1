/**
 * The example sub-flows (flows/subflows/<name>/subflow.json): each is a valid
 * sub-flow, used by at least two example flows, and every example flow's
 * pinned copy is the file of the version it names — edit the file, then the
 * copies (a new version when the content changes), never one copy alone.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.ts';
import { definitionOf, pinnedSubflows, subflowProblems } from '../../nodes/subflow/definition.ts';
import { loadFlowFile } from '../../runtime/flow-files.ts';
import { createEvaluatorRegistry } from '../../runtime/evaluators.ts';
import { readExampleSubflows } from '../../runtime/app/example-subflows.ts';

const FLOWS = resolve(import.meta.dirname, '../../flows');
const flowPaths = readdirSync(FLOWS, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(FLOWS, d.name, 'flow.json'))).map((d) => join(FLOWS, d.name, 'flow.json'));
const evaluators = createEvaluatorRegistry();

describe('example sub-flows', async () => {
  const subflows = await readExampleSubflows(FLOWS);
  const uses = await Promise.all(flowPaths.map(async (path) => {
    const { doc } = await loadFlowFile(path);
    return pinnedSubflows(doc.nodes).map((p) => ({ flow: doc.id, ...p }));
  })).then((all) => all.flat());

  it('there is at least one, used by two example flows or more', () => {
    expect(subflows.size).toBeGreaterThan(0);
    for (const name of subflows.keys()) {
      expect(new Set(uses.filter((u) => u.config.name === name).map((u) => u.flow)).size, name).toBeGreaterThanOrEqual(2);
    }
  });

  it.each([...subflows.keys()])('%s is a valid sub-flow', (name) => {
    const config = subflows.get(name)!;
    expect(subflowProblems(name, definitionOf(config), catalog, evaluators.for({}))).toEqual([]);
  });

  it('every example flow pins the file\'s content of the version it names', () => {
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) {
      const file = subflows.get(use.config.name);
      expect(file, `${use.flow} ${use.path}: flows/subflows/${use.config.name}/subflow.json`).toBeDefined();
      expect(use.config.version, `${use.flow} ${use.path}`).toBe(file!.version);
      expect(use.config, `${use.flow} ${use.path}: differs from flows/subflows/${use.config.name}/subflow.json`).toEqual(file);
    }
  });
});
