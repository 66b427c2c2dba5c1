/**
 * A store set up for broker consumer tests: a flow `<broker source> → target.postgres`
 * (plain insert without a unique key, so a record written twice would be two rows),
 * deployed to dev, its broker connection bound with the password as a secret.
 */
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { DELIVERY_MARKER_DDL } from '../../../nodes/target/delivery-markers.ts';
import { secretContext } from '../../../runtime/connectors/environment-connections.ts';
import type { SecretBox } from '../../../runtime/secrets/secret-box.ts';
import { connectionsRepo } from '../../../runtime/store/service-connections.ts';
import { deploymentsRepo } from '../../../runtime/store/service-deployments.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { targetDatabase } from '../../../runtime/store/target-databases.ts';

export const RABBIT_PASSWORD = 'guest';
export const NATS_SERVERS = '127.0.0.1:4222';

export type Protocol = 'amqp' | 'nats';

export interface BrokerNames { queue: string; stream: string; subject: string; consumer: string; table: string }

export function brokerNames(protocol: Protocol, tag: string): BrokerNames {
  return { queue: `lf_test_consume_${tag}`, stream: `LF_TEST_CONSUME_${tag}`, subject: `lftest.consume.${tag}`, consumer: `lf_${tag}`, table: `broker_${protocol}_rows` };
}

export function brokerFlow(protocol: Protocol, names: BrokerNames, batchSize = 10): FlowDocument {
  const common = { connection: 'bus', format: 'json', batchSize, batchWaitMs: 200 };
  const source = protocol === 'amqp'
    ? { ...common, queue: names.queue, prefetch: 100 }
    : { ...common, stream: names.stream, consumer: names.consumer, subject: names.subject, ackWaitSeconds: 30 };
  return {
    id: `broker-${protocol}`, name: `Orders from ${protocol}`, businessKey: 'id',
    amount: { value: 'amount', currency: "'EUR'" },
    connections: { bus: { kind: protocol }, db: { kind: 'postgres' } },
    nodes: [
      { id: 'events', type: `source.${protocol}`, typeVersion: 1, position: { x: 0, y: 0 }, config: source },
      {
        id: 'rows', type: 'target.postgres', typeVersion: 1, position: { x: 300, y: 0 },
        config: { connection: 'db', table: names.table, mode: 'insert', keyColumns: [], columns: { id: 'id', amount: 'amount', version: "='v1'" }, batchSize: 100, idempotencyKey: '$sourceKey' },
      },
    ],
    edges: [{ id: 'e1', source: 'events', target: 'rows' }],
  };
}

/** Binds `bus` and `db` in dev, creates the target table, saves the flow as version 1 and deploys it to dev. */
export async function setUpBrokerFlow(database: Database, box: SecretBox, protocol: Protocol, doc: FlowDocument, table: string): Promise<void> {
  const { store } = database;
  const repo = connectionsRepo(store.sql);
  const settings = protocol === 'amqp' ? { url: 'amqp://guest:{{secret:password}}@127.0.0.1:5672' } : { servers: NATS_SERVERS };
  await repo.putConnection({
    environment: 'dev', name: 'bus', kind: protocol, settings, updatedBy: 'admin',
    encryptedSecrets: protocol === 'amqp' ? { password: box.encrypt(RABBIT_PASSWORD, secretContext('dev', 'bus', 'password')) } : {},
  });
  await repo.putConnection({ environment: 'dev', name: 'db', kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'admin' });
  await targetDatabase(database, 'db').query(`create table if not exists ${table} (id text not null, amount numeric not null, version text not null)`);
  // The target database of a reused test store was emptied: the markers' table is made again here,
  // as the target's own check of it is kept per connection pool.
  for (const statement of DELIVERY_MARKER_DDL.split(';').filter((t) => t.trim())) await targetDatabase(database, 'db').query(statement);
  await store.saveDraft(doc, 'tester');
  await store.saveVersion(doc.id, doc, 'tester', 'first');
  await deploymentsRepo(store.sql).deploy({ flowId: doc.id, environment: 'dev', version: 1, by: 'tester', kind: 'deploy' });
}
