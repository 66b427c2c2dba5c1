/**
 * Alerts end to end on each backend (issue 19 point 6): a real run through
 * the queue ends with exceptions, two alert services evaluate it at once and
 * one signed webhook arrives; a failing receiver gets retries, each attempt
 * recorded; aged dead letters and a silent source raise one alert per
 * incident; Slack-compatible and e-mail channels (a local SMTP server) carry
 * the link to the run; rule changes and sent alerts are in the audit log.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertRule, deleteAlertRule, updateAlertRule, type AlertRuleInput } from '../../../runtime/app/alert-rules.ts';
import { findEnvironment } from '../../../runtime/app/app-context.ts';
import { startAlertService, type AlertService } from '../../../runtime/alerts/alert-service.ts';
import { parseEnvironments } from '../../../runtime/promotion/environments.ts';
import { startQueue, type StartedQueue } from '../../../runtime/queue/start-queue.ts';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { openDatabase } from '../../../runtime/store/open-store.ts';
import type { Database } from '../../../runtime/store/database.ts';
import { verifyWebhookSignature } from '../../../runtime/triggers/webhook-signature.ts';
import { secretContext } from '../../../runtime/connectors/environment-connections.ts';
import { TEST_TUNING, backendNames, jsonlInput, openBackend, records, setUpFlow, waitForRun, type OpenedBackend } from '../queue/queue-fixtures.ts';

const SECRET = 'alert-signing-secret-0123456789';
const PUBLIC_URL = 'http://console.example';
const box = createSecretBox(Buffer.alloc(32, 3));
const environments = parseEnvironments(undefined);

interface Received { headers: IncomingMessage['headers']; body: string }

/** A local receiver answering each request with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[] = [200]): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(got.length - 1, statuses.length - 1)];
      res.end(res.statusCode === 200 ? 'ok' : 'receiver down');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, got, close: () => new Promise((r) => server.close(() => r())) };
}

for (const backend of backendNames()) {
  describe(`alerts on ${backend}`, () => {
    let b: OpenedBackend;
    let queue: StartedQueue | undefined;
    const services: AlertService[] = [];
    const closers: (() => Promise<void>)[] = [];
    const deps = () => ({ repos: b.database.service, store: b.store, environment: (n: string) => findEnvironment(environments, n), secrets: box });
    const rule = (input: Partial<AlertRuleInput>) => createAlertRule(deps(), 'olga', {
      name: 'Exceptions in dev', flowId: 'queue-test', environment: 'dev', condition: 'exceptions-above', threshold: 0, channel: 'webhook', target: 'http://x/', secret: SECRET, ...input,
    });
    const service = (database: Pick<Database, 'store' | 'service'>, options: { now?: () => Date; retryDelaysMs?: number[] } = {}) => {
      const s = startAlertService({ database, secrets: box, publicUrl: PUBLIC_URL, tickMs: 0, ...options });
      services.push(s);
      return s;
    };
    /** A run of the test flow with one record refused by validation (amount −5): completed with 1 exception. */
    const runWithException = async () => {
      queue ??= await startQueue({ database: b.database, tuning: TEST_TUNING });
      const list = records(3);
      list[1].amount = '-5';
      list[1].row.amount = '-5';
      const run = await queue.launcher.enqueue({ flowId: 'queue-test', version: 1, environment: 'dev', trigger: 'manual', input: jsonlInput(list), requestedBy: 'olga' });
      return waitForRun(b.store, run.id);
    };
    const audit = async (action: string) => (await b.database.service.audit.list({ action }, { limit: 100 })).items;

    beforeEach(async () => {
      b = await openBackend(backend);
      await setUpFlow(b.database);
    });

    afterEach(async () => {
      for (const s of services.splice(0)) await s.stop();
      await queue?.stop();
      queue = undefined;
      for (const close of closers.splice(0)) await close();
      await b.cleanup();
    });

    it('two services evaluating the same ended run send one signed alert with the link to the run', async () => {
      const hook = await receiver();
      closers.push(hook.close);
      const created = await rule({ target: hook.url });
      const run = await runWithException();
      expect(run.status).toBe('completed_with_exceptions');

      // A second service on its own connection (Postgres): as two servers would.
      let other: Database = b.database;
      if (backend === 'postgres') {
        other = await openDatabase({ databaseUrl: process.env.TEST_DATABASE_URL, schema: b.schema, migrate: false });
        closers.push(() => other.close());
      }
      const [one, two] = [service(b.database), service(other)];
      await Promise.all([one.runEnded(run.id), two.runEnded(run.id), one.tick(), two.tick()]);
      await Promise.all([one.tick(), two.tick()]);

      expect(hook.got).toHaveLength(1);
      const sent = hook.got[0];
      const check = verifyWebhookSignature({
        secret: SECRET, timestamp: sent.headers['x-ledgerflow-timestamp'] as string, signature: sent.headers['x-ledgerflow-signature'] as string,
        rawBody: new TextEncoder().encode(sent.body), now: Date.now(),
      });
      expect(check.ok).toBe(true);
      const { alert } = JSON.parse(sent.body);
      expect(alert).toMatchObject({ rule: { id: created.id, name: 'Exceptions in dev' }, condition: 'exceptions-above', flowId: 'queue-test', environment: 'dev', runId: run.id, link: `${PUBLIC_URL}/#/runs/${run.id}` });
      expect(alert.summary).toContain('1 exception(s)');

      const { items } = await b.database.service.alerts.listIncidents({ runId: run.id }, { limit: 10 });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ status: 'sent', incidentKey: `run:${run.id}` });
      expect(items[0].attempts).toEqual([expect.objectContaining({ ok: true, detail: 'HTTP 200' })]);
      expect(await audit('alert.sent')).toHaveLength(1);
      expect((await audit('alert-rule.created'))[0]).toMatchObject({ actor: 'olga', entity: 'alert-rule', entityId: created.id });
      expect(JSON.stringify(await audit('alert-rule.created'))).not.toContain(SECRET);
    });

    it('a receiver that fails is tried again, every attempt recorded, and a send that never succeeds fails for good (audited)', async () => {
      const flaky = await receiver([500, 200]);
      const down = await receiver([503]);
      closers.push(flaky.close, down.close);
      await rule({ name: 'flaky', target: flaky.url });
      await rule({ name: 'down', target: down.url });
      const run = await runWithException();
      const s = service(b.database, { retryDelaysMs: [0] });
      await s.runEnded(run.id);
      const byRule = async () => Object.fromEntries((await b.database.service.alerts.listIncidents({}, { limit: 10 })).items.map((i) => [i.ruleName, i]));
      let alerts = await byRule();
      expect(alerts.flaky).toMatchObject({ status: 'pending', attempts: [expect.objectContaining({ ok: false, detail: expect.stringContaining('HTTP 500') })] });
      expect(alerts.down.status).toBe('pending');

      await s.tick();
      alerts = await byRule();
      expect(alerts.flaky.status).toBe('sent');
      expect(alerts.flaky.attempts.map((a) => a.ok)).toEqual([false, true]);
      expect(alerts.down.status).toBe('failed');
      expect(alerts.down.attempts).toHaveLength(2);
      expect(flaky.got).toHaveLength(2);
      expect(down.got).toHaveLength(2);
      expect((await audit('alert.failed'))[0].after).toMatchObject({ rule: 'down', attempts: 2, detail: expect.stringContaining('HTTP 503') });
      await s.tick();
      expect(down.got).toHaveLength(2);
    });

    it('aged dead letters and a silent source raise one alert per incident, resolved once the condition clears', async () => {
      const hook = await receiver();
      closers.push(hook.close);
      const aged = await rule({ name: 'aged', condition: 'dead-letters-aged', threshold: 1, target: hook.url });
      const run = await runWithException();
      const later = new Date(Date.now() + 2 * 3_600_000);
      const now = service(b.database);
      await now.tick();
      expect(hook.got, 'the dead letter is not an hour old yet').toHaveLength(0);

      const s = service(b.database, { now: () => later });
      await s.tick();
      await s.tick();
      expect(hook.got).toHaveLength(1);
      expect(JSON.parse(hook.got[0].body).alert).toMatchObject({ condition: 'dead-letters-aged', runId: run.id, link: `${PUBLIC_URL}/#/runs/${run.id}` });

      const open = (await b.store.listDeadLetters({ flowId: 'queue-test', status: 'open' }, { limit: 10 })).items;
      await b.store.setDeadLetterStatus(open.map((d) => d.id), 'discarded', 'test');
      await s.tick();
      const incidents = (await b.database.service.alerts.listIncidents({ ruleId: aged.id }, { limit: 10 })).items;
      expect(incidents).toHaveLength(1);
      expect(incidents[0].resolvedAt).not.toBeNull();

      await deleteAlertRule(deps(), 'olga', aged.id);
      await rule({ name: 'silent', condition: 'source-silent', threshold: 1, target: hook.url });
      await now.tick();
      expect(hook.got).toHaveLength(1);
      await s.tick();
      await s.tick();
      expect(hook.got).toHaveLength(2);
      expect(JSON.parse(hook.got[1].body).alert).toMatchObject({ condition: 'source-silent', runId: run.id });
      expect(JSON.parse(hook.got[1].body).alert.summary).toContain('no run for 1 h');
    });

    it('a Slack-compatible webhook gets { text } with the link, and an e-mail goes through the smtp connection of the environment', async () => {
      const slack = await receiver();
      closers.push(slack.close);
      const mails: { from: string; to: string[]; data: string; user?: string }[] = [];
      const smtp = new SMTPServer({
        disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authMethods: ['PLAIN', 'LOGIN'],
        onAuth(auth, _session, done) {
          if (auth.username === 'alerts' && auth.password === 'smtp-pass') return done(null, { user: auth.username });
          return done(new Error('wrong credentials'));
        },
        onData(stream, session, done) {
          let data = '';
          stream.on('data', (c) => { data += c; });
          stream.on('end', () => {
            mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data, user: session.user as string });
            done();
          });
        },
      });
      await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
      closers.push(() => new Promise((r) => smtp.close(() => r())));
      const port = (smtp.server.address() as AddressInfo).port;
      await b.database.service.connections.putConnection({
        environment: 'dev', name: 'mail', kind: 'smtp', updatedBy: 'admin',
        settings: { host: '127.0.0.1', port, username: 'alerts', password: '{{secret:password}}', from: 'ledgerflow@example.com' },
        encryptedSecrets: { password: box.encrypt('smtp-pass', secretContext('dev', 'mail', 'password')) },
      });
      await rule({ name: 'to slack', channel: 'slack', target: slack.url, secret: undefined });
      await rule({ name: 'by mail', channel: 'email', target: 'ops@example.com, finance@example.com', connection: 'mail', secret: undefined });
      const run = await runWithException();
      await service(b.database).runEnded(run.id);

      expect(slack.got).toHaveLength(1);
      const { text } = JSON.parse(slack.got[0].body);
      expect(text).toContain('1 exception(s)');
      expect(text).toContain(`${PUBLIC_URL}/#/runs/${run.id}`);
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ from: 'ledgerflow@example.com', to: ['ops@example.com', 'finance@example.com'], user: 'alerts' });
      expect(mails[0].data).toContain('Subject: [Ledgerflow] queue-test (dev): run completed with exceptions above');
      expect(mails[0].data.replace(/=\r?\n/g, '')).toContain(`${PUBLIC_URL}/#/runs/${run.id}`);
    });

    it('rules are checked when saved: an e-mail rule needs an smtp connection bound in its environment, a webhook a secret; changes are audited', async () => {
      await expect(rule({ channel: 'email', target: 'ops@example.com', connection: 'nothing', secret: undefined })).rejects.toThrow(/dev binds no connection 'nothing'/);
      await expect(rule({ secret: undefined })).rejects.toThrow(/needs a signing secret/);
      await expect(rule({ condition: 'source-silent', threshold: 0 })).rejects.toThrow(/number of hours/);
      await expect(rule({ flowId: 'no-such-flow' })).rejects.toThrow(/no flow 'no-such-flow'/);
      const created = await rule({});
      const changed = await updateAlertRule(deps(), 'omar', created.id, { name: 'More than 5', flowId: 'queue-test', environment: 'dev', condition: 'exceptions-above', threshold: 5, channel: 'webhook', target: 'http://x/' });
      expect(changed).toMatchObject({ threshold: 5, updatedBy: 'omar', encryptedSecret: created.encryptedSecret });
      const [entry] = await audit('alert-rule.changed');
      expect(entry).toMatchObject({ actor: 'omar', before: expect.objectContaining({ threshold: 0, hasSecret: true }), after: expect.objectContaining({ threshold: 5 }) });
    });
  });
}
