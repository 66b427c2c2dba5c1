import type { AnyNodeDeclaration } from './define-node.ts';
import type { FlowNode } from './flow-document.ts';

export type ResolvedConfig =
  | { ok: true; config: Record<string, unknown> }
  | { ok: false; message: string };

/**
 * The config a node runs with: written for an older type version → upgraded by
 * the type's `upgrade()`; then the type's defaults fill what the flow leaves out.
 */
export function resolveNodeConfig(decl: AnyNodeDeclaration, node: Pick<FlowNode, 'id' | 'typeVersion' | 'config'>): ResolvedConfig {
  let config: unknown = node.config ?? {};
  if (node.typeVersion > decl.version) {
    return { ok: false, message: `Node '${node.id}' was written for ${decl.type} version ${node.typeVersion}, but this runtime has version ${decl.version}` };
  }
  if (node.typeVersion < decl.version) {
    if (!decl.upgrade) {
      return { ok: false, message: `Node '${node.id}' was written for ${decl.type} version ${node.typeVersion} and the type has no upgrade to version ${decl.version}` };
    }
    config = decl.upgrade(config, node.typeVersion);
  }
  return { ok: true, config: { ...(decl.defaults as Record<string, unknown>), ...(config as Record<string, unknown>) } };
}
