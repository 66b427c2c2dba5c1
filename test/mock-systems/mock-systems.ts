/**
 * The systems the example flows talk to, as small local servers: the
 * procurement platform's API (OAuth2 client credentials), the SAP-like ERP
 * API (basic auth, rate-limited, sometimes 503), the planning system's API
 * and the US ERP's API. `npm run demo:systems` starts them on fixed loopback
 * ports; the example flows' end-to-end tests start the same servers on free
 * ports. RabbitMQ and Postgres are the machine's own.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import amqp from 'amqplib';
import type { ConnectionKind } from '../../nodes/flow-document.ts';
import { startProcurementApi, type ProcurementApi, type ProcurementApiOptions, type PurchaseOrder } from '../nodes/source/procurement-api.ts';
import { startErpReceiver } from '../bench/erp-receiver.ts';
import { planningApi, type PlanningApi } from './planning-api.ts';
import { startSapApi, type SapApi, type SapApiOptions } from './sap-api.ts';
import { startSftpServer, type SftpTestServer } from '../runtime/connectors/sftp-server.ts';

/** The ports `npm run demo:systems` listens on. */
export const DEMO_PORTS = { procurement: 4101, sap: 4102, planning: 4103, usErp: 4104, sftp: 4122 } as const;
export const PROCUREMENT_CLIENT_SECRET = 'client-secret-4711';
export const SAP_PASSWORD = 'sap-password-1234';
/** The queue of the procurement platform's "PO approved" events (flows/procure-to-pay). */
export const PO_EVENTS_QUEUE = 'p2p.po-approved';
export const RABBIT_URL = 'amqp://guest:guest@127.0.0.1:5672';

export interface MockSystemsOptions {
  /** Listen on DEMO_PORTS (else free ports). */
  fixedPorts?: boolean;
  /** Purchase orders the procurement API holds (default 250). */
  orders?: number;
  procurement?: Partial<ProcurementApiOptions>;
  sap?: SapApiOptions;
  /**
   * Also the bank's SFTP server (Debian's sshd, as the SFTP tests start it) for payments-pain001 and
   * camt053-cash-entries, with the example's camt.053 statements in `statements/`.
   */
  sftp?: boolean;
}

/** A connection as `PUT /api/connections/<env>/<name>` takes it. */
export interface ConnectionBinding {
  kind: ConnectionKind;
  settings: Record<string, unknown>;
  secrets?: Record<string, string>;
}

export interface MockSystems {
  procurement: ProcurementApi;
  sap: SapApi;
  planning: PlanningApi & { baseUrl: string };
  usErp: { baseUrl: string; received(): number };
  /** The bank's SFTP server, when asked for. */
  sftp?: SftpTestServer;
  /** How each example's connections are bound to these systems, by connection name. */
  bindings: Record<string, ConnectionBinding>;
  close(): Promise<void>;
}

export async function startMockSystems(options: MockSystemsOptions = {}): Promise<MockSystems> {
  const port = (name: keyof typeof DEMO_PORTS) => (options.fixedPorts ? DEMO_PORTS[name] : 0);
  const started: { close(): Promise<void> }[] = [];
  try {
    const procurement = await startProcurementApi({
      orders: options.orders ?? 250, auth: 'oauth2', clientSecret: PROCUREMENT_CLIENT_SECRET, port: port('procurement'), ...options.procurement,
    });
    started.push(procurement);
    const sap = await startSapApi({ password: SAP_PASSWORD, ratePerSecond: 20, unavailableEvery: 9, port: port('sap'), ...options.sap });
    started.push(sap);
    const planning = planningApi();
    await new Promise<void>((done, fail) => planning.server.once('error', fail).listen(port('planning'), '127.0.0.1', done));
    started.push({ close: () => new Promise((done) => planning.server.close(() => done())) });
    const usErp = await startErpReceiver(port('usErp'));
    started.push(usErp);
    const planningUrl = `http://127.0.0.1:${(planning.server.address() as { port: number }).port}`;
    const sftp = options.sftp ? await startBankSftp(port('sftp')) : undefined;
    if (sftp) started.push({ close: () => sftp.stop() });
    const bindings: Record<string, ConnectionBinding> = {
      procurement: {
        kind: 'http',
        settings: { baseUrl: procurement.baseUrl, auth: { type: 'oauth2-client-credentials', tokenUrl: procurement.tokenUrl, clientId: 'ledgerflow', clientSecret: '{{secret:client_secret}}' } },
        secrets: { client_secret: PROCUREMENT_CLIENT_SECRET },
      },
      sap: {
        kind: 'http',
        settings: { baseUrl: sap.baseUrl, rateLimitPerSecond: 10, maxConcurrent: 4, auth: { type: 'basic', username: sap.username, password: '{{secret:password}}' } },
        secrets: { password: sap.password },
      },
      bus: { kind: 'amqp', settings: { url: 'amqp://guest:{{secret:password}}@127.0.0.1:5672' }, secrets: { password: 'guest' } },
      erp_regional: { kind: 'postgres', settings: { embedded: true } },
      planning: { kind: 'http', settings: { baseUrl: planningUrl } },
      erp_us: { kind: 'http', settings: { baseUrl: `http://127.0.0.1:${usErp.port}` } },
      ...(sftp ? {
        bank: {
          kind: 'sftp' as const,
          settings: { host: '127.0.0.1', port: sftp.port, username: sftp.username, privateKey: '{{secret:key}}', hostKey: sftp.hostKey },
          secrets: { key: sftp.privateKey },
        },
      } : {}),
    };
    return {
      procurement, sap, bindings,
      planning: Object.assign(planning, { baseUrl: planningUrl }),
      usErp: { baseUrl: `http://127.0.0.1:${usErp.port}`, received: usErp.received },
      ...(sftp ? { sftp } : {}),
      async close() {
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.close().catch(() => {});
    throw err;
  }
}

/** The SFTP server with the camt053-cash-entries example's statements waiting in `statements/`. */
async function startBankSftp(port: number): Promise<SftpTestServer> {
  const server = await startSftpServer(port ? { port } : {});
  const samples = resolve(import.meta.dirname, '../../flows/camt053-cash-entries/samples');
  await mkdir(join(server.root, 'statements'));
  await mkdir(join(server.root, 'outbox'));
  for (const file of await readdir(samples)) await copyFile(join(samples, file), join(server.root, 'statements', file));
  return server;
}

/** A "PO approved" event of the procurement platform, as it puts it on RabbitMQ. */
export function poApprovedEvent(order: PurchaseOrder): { eventId: string; eventType: string; occurredAt: string; purchaseOrder: PurchaseOrder } {
  return { eventId: `evt-${order.id}`, eventType: 'purchase_order.approved', occurredAt: order.updatedAt, purchaseOrder: order };
}

/**
 * Publishes messages to a durable queue (declared when missing) with publisher confirms:
 * `{ id, body }` becomes a persistent message with message-id `id`.
 */
export async function publishToQueue(queue: string, messages: { id: string; body: string }[], url = RABBIT_URL): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    for (const m of messages) channel.sendToQueue(queue, Buffer.from(m.body), { messageId: m.id, persistent: true, contentType: 'application/json' });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** The "PO approved" events of these orders as queue messages (message-id = event id). */
export const poApprovedMessages = (orders: PurchaseOrder[]) => orders.map((o) => {
  const event = poApprovedEvent(o);
  return { id: event.eventId, body: JSON.stringify(event) };
});
