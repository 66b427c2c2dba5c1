/**
 * Alert rules and alerts through the API (every response checked against the
 * contract): a webhook rule's secret is write-only and kept on a change, an
 * e-mail rule needs an smtp connection of its environment, whose "test
 * connection" greets a local SMTP server; alerts list with their attempts.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertService } from '../../../runtime/alerts/alert-service.ts';
import { createSecretBox } from '../../../runtime/secrets/secret-box.ts';
import { createHarness, paymentsFlow, type Harness } from './harness.ts';

let h: Harness;
let smtp: SMTPServer;
let port: number;
const SECRET = 'webhook-secret-for-alerts';

beforeAll(async () => {
  smtp = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, onData(stream, _s, done) { stream.resume(); stream.on('end', () => done()); } });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  port = (smtp.server.address() as AddressInfo).port;
  h = await createHarness();
  await h.store.saveDraft(paymentsFlow(), 'analyst');
}, 120_000);
afterAll(async () => {
  await h?.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

const webhookRule = { name: 'Payments failed', flowId: 'payments', environment: 'dev', condition: 'run-failed', channel: 'webhook', target: 'http://127.0.0.1:9/hook', secret: SECRET };

describe('alert rules through the API', { timeout: 120_000 }, () => {
  it('keeps a webhook secret write-only, keeps it on a change, and refuses what a rule cannot take, naming the field', async () => {
    const created = await h.json('operator', 'POST', '/api/alert-rules', webhookRule, 201);
    expect(created).toMatchObject({ name: 'Payments failed', hasSecret: true, createdBy: 'operator', enabled: true });
    const changed = await h.json('admin', 'PUT', `/api/alert-rules/${created.id}`, { ...webhookRule, secret: undefined, enabled: false }, 200);
    expect(changed).toMatchObject({ hasSecret: true, enabled: false, updatedBy: 'admin' });
    const listed = await (await h.call('analyst', 'GET', '/api/alert-rules?flow=payments')).text();
    expect(listed).toContain('Payments failed');
    expect(listed).not.toContain(SECRET);
    const { rows } = await h.store.sql.query('select secret from alert_rules');
    expect(JSON.stringify(rows)).not.toContain(SECRET);

    const bad = await h.json('operator', 'POST', '/api/alert-rules', { ...webhookRule, condition: 'dead-letters-aged', threshold: 0, target: 'ftp://x' }, 422);
    expect(bad.problems.map((p: { path: string }) => p.path)).toEqual(['/threshold', '/target']);
    expect((await h.call('analyst', 'POST', '/api/alert-rules', webhookRule)).status).toBe(403);
    await h.json('operator', 'POST', '/api/alert-rules', { ...webhookRule, environment: 'nowhere' }, 404);
    await h.json('operator', 'DELETE', `/api/alert-rules/${created.id}`, undefined, 204);
    const audit = await h.json('admin', 'GET', '/api/audit?entity=alert-rule');
    expect(audit.items.map((a: { action: string }) => a.action)).toEqual(['alert-rule.deleted', 'alert-rule.changed', 'alert-rule.created']);
  });

  it('an e-mail rule names an smtp connection of its environment, which "test connection" reaches', async () => {
    const email = { name: 'Mail ops', flowId: 'payments', environment: 'dev', condition: 'exceptions-above', threshold: 10, channel: 'email', target: 'ops@example.com', connection: 'mail' };
    const unbound = await h.json('operator', 'POST', '/api/alert-rules', email, 422);
    expect(unbound.detail).toContain("dev binds no connection 'mail'");
    await h.json('admin', 'PUT', '/api/connections/dev/mail', { kind: 'smtp', settings: { host: '127.0.0.1', port, from: 'not-an-address' } }, 422);
    await h.json('admin', 'PUT', '/api/connections/dev/mail', { kind: 'smtp', settings: { host: '127.0.0.1', port, from: 'ledgerflow@example.com' } }, 200);
    expect(await h.json('admin', 'POST', '/api/connections/dev/mail/test', undefined, 200)).toMatchObject({ ok: true, message: expect.stringContaining('accepted the connection') });
    expect(await h.json('operator', 'POST', '/api/alert-rules', email, 201)).toMatchObject({ channel: 'email', connection: 'mail', hasSecret: false });
  });

  it('lists alerts with their delivery status and every attempt', async () => {
    const rule = await h.json('operator', 'POST', '/api/alert-rules', { ...webhookRule, name: 'Listed' }, 201);
    const run = await h.store.createRun({ flowId: 'payments', environment: 'dev', trigger: 'manual' });
    await h.store.finishRun(run.id, { status: 'failed', counts: { read: 0, delivered: 0, quarantined: 0, deadLettered: 0, duplicate: 0, filtered: 0 }, reconciliation: null, error: { errorClass: 'permanent', message: 'the ERP refused the connection' } });
    const service = startAlertService({ database: h.database, secrets: createSecretBox(h.secretKey), publicUrl: 'https://ledgerflow.example', tickMs: 0, retryDelaysMs: [60_000] });
    await service.runEnded(run.id);
    await service.stop();
    const { items } = await h.json('analyst', 'GET', `/api/alerts?rule=${rule.id}`);
    expect(items).toEqual([expect.objectContaining({
      runId: run.id, status: 'pending', link: `https://ledgerflow.example/#/runs/${run.id}`, summary: expect.stringContaining('failed: the ERP refused the connection'),
      attempts: [expect.objectContaining({ ok: false, detail: expect.stringContaining('127.0.0.1:9') })],
    })]);
    expect((await h.json('operator', 'GET', '/api/alerts?status=sent')).items).toEqual([]);
  });
});
