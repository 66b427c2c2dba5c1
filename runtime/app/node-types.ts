/** The node types as the API (`GET /api/node-types`) and `ledgerflow nodes --json` show them: ports, config schema, defaults. */
import { inputPorts, outputPorts } from '../../nodes/define-node.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';

export function nodeTypeDeclarations(catalog: NodeCatalog) {
  return catalog.all().map((d) => ({
    type: d.type, version: d.version, title: d.title, description: d.description, category: d.category,
    inputs: inputPorts(d, d.defaults), outputs: outputPorts(d, d.defaults), configSchema: d.configSchema, defaults: d.defaults,
  }));
}
