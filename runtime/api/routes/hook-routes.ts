/**
 * Incoming webhooks: POST /hooks/{flowId}/{environment}, signed with the
 * environment's webhook secret. 202 with the run id only once the event is
 * durably queued; a bad, stale or replayed signature gets 401 and nothing is
 * queued. The signature is recorded as used in the same transaction as the
 * run, so a delivery is either queued and spent, or neither.
 */
import { verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, DEFAULT_WINDOW_SECONDS } from '../../triggers/webhook-signature.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { ApiProblem, conflict, notFound } from '../problem.ts';
import { SignatureReplayedError } from '../../queue/run-launcher.ts';
import { createHookTargets } from './hook-targets.ts';

function inputName(contentType: string | undefined, at: number): string {
  const ct = (contentType ?? '').toLowerCase();
  const ext = /ndjson|jsonl/.test(ct) ? 'jsonl' : /json/.test(ct) ? 'json' : /xml/.test(ct) ? 'xml' : /csv/.test(ct) ? 'csv' : 'json';
  return `webhook-${at}.${ext}`;
}

export function registerHookRoutes(app: Api, ctx: ApiContext): void {
  const targets = createHookTargets(ctx.repos, ctx.secrets, ctx.store);
  const window = ctx.deps.webhookWindowSeconds ?? DEFAULT_WINDOW_SECONDS;

  defineRoute(app, {
    ...api['POST /hooks/{flowId}/{environment}'], tags: ['Triggers'], summary: 'Receive a signed webhook event and queue a run of the deployed version', roles: 'public',
    description: `Headers: \`X-Ledgerflow-Timestamp: <unix seconds>\` and \`X-Ledgerflow-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>\`. The timestamp must be within ${window} s of the server's clock and a signature is accepted once.`,
  }, async (c) => {
    const { flowId, environment } = c.req.valid('param');
    const env = ctx.environments.find((e) => e.name === environment);
    if (!env) throw notFound(`There is no environment '${environment}'.`);
    // Secret and deployment in one lookup, shared with the webhooks arriving at the same time.
    const [target, body] = await Promise.all([targets.get(flowId, env.name), c.req.arrayBuffer()]);
    if (target.secret === null) throw notFound(`Flow '${flowId}' has no webhook in ${env.name} (an admin creates its secret first).`);
    const rawBody = new Uint8Array(body);
    const check = verifyWebhookSignature({
      secret: target.secret,
      timestamp: c.req.header(TIMESTAMP_HEADER), signature: c.req.header(SIGNATURE_HEADER), rawBody, now: ctx.now().getTime(), windowSeconds: window,
    });
    if (!check.ok) throw new ApiProblem(401, `Webhook refused: ${check.reason}`);
    if (target.version === null) throw conflict(`Flow '${flowId}' is not deployed to ${env.name}; the event was not queued.`);
    try {
      const run = await ctx.launcher.enqueue({
        flowId, version: target.version, environment: env.name, trigger: 'webhook', triggerRef: `t=${check.timestamp}`,
        input: { kind: 'document', name: inputName(c.req.header('content-type'), check.timestamp), bytes: rawBody }, requestedBy: 'webhook',
        webhookSignature: check.signatureHash,
        // The delivery is the webhook source's input, also in a flow whose first source is another one.
        ...(target.sourceNodeId ? { sourceNodeId: target.sourceNodeId } : {}),
      });
      return c.json({ runId: run.id }, 202);
    } catch (err) {
      if (err instanceof SignatureReplayedError) throw new ApiProblem(401, 'Webhook refused: this signature was already used (replayed request).');
      throw err;
    }
  });
}
