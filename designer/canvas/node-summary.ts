/** The one-line summary under a node's title, from its type's `summary()`. */
import type { AnyNodeDeclaration } from '../../nodes/define-node.ts';
import type { FlowNode } from '../../nodes/flow-document.ts';
import { resolveNodeConfig } from '../../nodes/node-config.ts';

export function nodeSummary(decl: AnyNodeDeclaration | undefined, node: Pick<FlowNode, 'id' | 'typeVersion' | 'config'>): string {
  if (!decl?.summary) return decl?.description.split('. ')[0] ?? '';
  const resolved = resolveNodeConfig(decl, node);
  if (!resolved.ok) return resolved.message;
  try {
    return decl.summary(resolved.config);
  } catch {
    // A half-edited config may not summarise; the inspector shows the problem.
    return '';
  }
}
