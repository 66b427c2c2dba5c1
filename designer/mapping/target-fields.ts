/**
 * The fields a transform must produce: the target structure set on the
 * transform itself (a JSON Schema), then what comes after it: the
 * JSON Schema of a validate node, the column → field path maps of targets
 * (and their lines), passing through route and validate nodes, which forward
 * records unchanged.
 */
import type { FlowDocument } from '../../nodes/flow-document.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import { fieldsFromSchema, mergeFieldTrees, type FieldNode } from '../editor/field-paths.ts';
import { EXPRESSION_PREFIX } from '../../nodes/target/column-values.ts';

type Config = Record<string, unknown>;

function leaf(segments: string[], required: boolean, description?: string): FieldNode {
  return { name: segments[segments.length - 1], segments, types: [], array: false, required, description, children: [] };
}

/** A tree from dotted paths, e.g. `supplier.vatId` → supplier { vatId }. */
export function treeFromPaths(paths: { path: string[]; required: boolean; description?: string; array?: boolean }[]): FieldNode[] {
  let tree: FieldNode[] = [];
  for (const p of paths) {
    let node: FieldNode = { ...leaf(p.path, p.required, p.description), array: !!p.array };
    for (let i = p.path.length - 1; i > 0; i--) {
      const segs = p.path.slice(0, i);
      node = { ...leaf(segs, p.required), children: [node] };
    }
    tree = mergeFieldTrees(tree, [node]);
  }
  return tree;
}

const split = (path: string) => path.split('.').filter((s) => s !== '' && !/^\d+$/.test(s));

/** Field paths a target reads, with the column each one fills. */
export function fieldsReadByTarget(config: Config): { path: string[]; required: boolean; description?: string; array?: boolean }[] {
  const out: { path: string[]; required: boolean; description?: string; array?: boolean }[] = [];
  const keys = new Set((config.keyColumns as string[] | undefined) ?? []);
  for (const [column, path] of Object.entries((config.columns as Record<string, string> | undefined) ?? {})) {
    // A constant or expression (`='reconciled'`) is no field the record must carry.
    if (typeof path === 'string' && path && !path.startsWith(EXPRESSION_PREFIX)) out.push({ path: split(path), required: keys.has(column), description: `→ column ${column}` });
  }
  for (const [header, path] of Object.entries((config.csvColumns as Record<string, string> | undefined) ?? {})) {
    if (typeof path === 'string' && path) out.push({ path: split(path), required: false, description: `→ CSV column ${header}` });
  }
  const lines = config.lines as { path?: string; columns?: Record<string, string>; keyColumns?: string[] } | undefined;
  if (lines?.path) {
    const base = split(lines.path);
    out.push({ path: base, required: false, array: true, description: `→ lines table` });
    for (const [column, path] of Object.entries(lines.columns ?? {})) {
      if (typeof path !== 'string' || !path || path.startsWith(EXPRESSION_PREFIX)) continue;
      if (path.startsWith('^')) out.push({ path: split(path.slice(1)), required: false, description: `→ line column ${column}` });
      else out.push({ path: [...base, ...split(path)], required: false, description: `→ line column ${column}` });
    }
  }
  return out.filter((p) => p.path.length > 0);
}

/** The target fields of a transform node, from every node downstream of it up to the targets. */
export function targetFieldsFor(doc: FlowDocument, nodeId: string, catalog: NodeCatalog): FieldNode[] {
  // The structure the analyst gave the mapping itself comes first, in its own order.
  const own = doc.nodes.find((n) => n.id === nodeId)?.config.targetSchema;
  let tree: FieldNode[] = own && typeof own === 'object' ? fieldsFromSchema(own as Config) : [];
  const seen = new Set<string>();
  const stack = doc.edges.filter((e) => e.source === nodeId).map((e) => e.target);
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = doc.nodes.find((n) => n.id === id);
    const category = node ? catalog.get(node.type)?.category : undefined;
    if (!node || !category) continue;
    if (category === 'validate' && node.config.schema) tree = mergeFieldTrees(tree, fieldsFromSchema(node.config.schema as Config));
    if (category === 'target') tree = mergeFieldTrees(tree, treeFromPaths(fieldsReadByTarget(node.config)));
    // Routes and validation forward the record unchanged: their targets read this node's output too.
    if (category === 'route' || category === 'validate') stack.push(...doc.edges.filter((e) => e.source === id).map((e) => e.target));
  }
  return tree;
}
