/** Which connection kinds a node type takes (the inspector's connection picker, a sub-flow's declared connections). */
import { SQL_CONNECTION_KINDS, type ConnectionKind } from '../../nodes/flow-document.ts';

/**
 * The connection kinds a node type takes, from its type id (`target.http` → http); the SQL nodes
 * (`*.postgres`) take Postgres and MySQL/MariaDB connections, the first is the one a new connection declared from them gets.
 */
export function connectionKindsOf(type: string): readonly ConnectionKind[] | undefined {
  const kind = /\.(postgres|http|amqp|nats|sftp)$/.exec(type)?.[1];
  if (!kind) return undefined;
  return kind === 'postgres' ? SQL_CONNECTION_KINDS : [kind as ConnectionKind];
}
