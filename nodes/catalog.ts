/**
 * The one list of node types. The designer builds its palette and forms from
 * it; the runtime validates and runs flows with it.
 */
import type { AnyNodeDeclaration } from './define-node.ts';
import { createCatalog, type NodeCatalog } from './node-catalog.ts';
import { fileSource } from './source/file.ts';
import { webhookSource } from './source/webhook.ts';
import { postgresSource } from './source/postgres.ts';
import { httpSource } from './source/http.ts';
import { amqpSource } from './source/amqp.ts';
import { natsSource } from './source/nats.ts';
import { sftpSource } from './source/sftp.ts';
import { jsonataTransform } from './transform/jsonata.ts';
import { lookupNode } from './transform/lookup.ts';
import { keyedStateNode } from './transform/keyed-state.ts';
import { aggregateNode } from './transform/aggregate.ts';
import { matchNode } from './transform/match.ts';
import { routeNode } from './route/condition.ts';
import { validateNode } from './validate/record.ts';
import { postgresTarget } from './target/postgres.ts';
import { httpTarget } from './target/http.ts';
import { fileTarget } from './target/file.ts';
import { amqpTarget } from './target/amqp.ts';
import { natsTarget } from './target/nats.ts';
import { sftpTarget } from './target/sftp.ts';
import { subflowNode } from './subflow/subflow.ts';

export const NODE_TYPES: readonly AnyNodeDeclaration[] = [
  fileSource,
  webhookSource,
  postgresSource,
  httpSource,
  amqpSource,
  natsSource,
  sftpSource,
  jsonataTransform,
  lookupNode,
  keyedStateNode,
  aggregateNode,
  matchNode,
  routeNode,
  validateNode,
  postgresTarget,
  httpTarget,
  fileTarget,
  amqpTarget,
  natsTarget,
  sftpTarget,
  subflowNode,
];

export const catalog: NodeCatalog = createCatalog(NODE_TYPES);

export { createCatalog, type NodeCatalog };
