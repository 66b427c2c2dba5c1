import type { AnyNodeDeclaration, NodeCategory } from './define-node.ts';

/** Node types by id; the designer's palette and the runtime both read it. */
export interface NodeCatalog {
  get(type: string): AnyNodeDeclaration | undefined;
  all(): readonly AnyNodeDeclaration[];
  byCategory(category: NodeCategory): AnyNodeDeclaration[];
}

export function createCatalog(types: readonly AnyNodeDeclaration[]): NodeCatalog {
  const byType = new Map(types.map((t) => [t.type, t]));
  return {
    get: (type) => byType.get(type),
    all: () => types,
    byCategory: (category) => types.filter((t) => t.category === category),
  };
}
