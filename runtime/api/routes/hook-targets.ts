/**
 * What a webhook needs to know about its flow and environment — the secret
 * and the deployed version — looked up for many requests at once. Lookups
 * wait for the next query rather than joining one already sent, so every
 * request reads the database after it arrived: a secret rotated before the
 * request came in is never missed, and nothing is cached between queries.
 */
import type { SecretBox } from '../../secrets/secret-box.ts';
import type { ServiceRepos } from '../../store/service-repos.ts';
import type { Store } from '../../store/store.ts';
import { webhookSource } from '../../../nodes/source/webhook.ts';
import { createGroupCommit } from '../../queue/group-commit.ts';
import { webhookSecretContext } from '../../app/triggers.ts';

export interface HookTarget {
  /** The webhook secret in clear; null when none is set. */
  secret: string | null;
  /** The deployed version; null when nothing is deployed there. */
  version: number | null;
  /** The deployed version's webhook source node, which reads the deliveries; null when it has none. */
  sourceNodeId: string | null;
}

interface Key { flowId: string; environment: string }

export interface HookTargets {
  get(flowId: string, environment: string): Promise<HookTarget>;
}

export function createHookTargets(repos: Pick<ServiceRepos, 'triggers' | 'deployments'>, secrets: SecretBox, versions: Pick<Store, 'getVersion'>): HookTargets {
  // A version never changes: its webhook source node is looked up once.
  const webhookNodes = new Map<string, string | null>();
  const webhookNodeOf = async (flowId: string, version: number): Promise<string | null> => {
    const cacheKey = `${flowId}\u0000${version}`;
    let nodeId = webhookNodes.get(cacheKey);
    if (nodeId === undefined) {
      const document = (await versions.getVersion(flowId, version))?.document;
      nodeId = document?.nodes.find((n) => n.type === webhookSource.type)?.id ?? null;
      if (webhookNodes.size >= 1000) webhookNodes.clear();
      webhookNodes.set(cacheKey, nodeId);
    }
    return nodeId;
  };

  // Decryption by ciphertext: a rotated secret is a new ciphertext, so this never serves an old one.
  const clear = new Map<string, string>();
  const decrypt = (boxed: string, key: Key) => {
    const cacheKey = `${webhookSecretContext(key.flowId, key.environment)}\u0000${boxed}`;
    let secret = clear.get(cacheKey);
    if (secret === undefined) {
      secret = secrets.decrypt(boxed, webhookSecretContext(key.flowId, key.environment));
      if (clear.size >= 1000) clear.clear();
      clear.set(cacheKey, secret);
    }
    return secret;
  };

  const lookups = createGroupCommit<Key, HookTarget>({
    // Most webhooks in a batch go to one flow: one pair of reads per distinct flow and environment.
    write: async (keys) => {
      const distinct = new Map<string, Key>();
      for (const k of keys) distinct.set(`${k.flowId}\u0000${k.environment}`, k);
      const found = new Map<string, HookTarget | Error>();
      for (const [id, key] of distinct) {
        const [stored, deployed] = await Promise.all([
          repos.triggers.getWebhookSecret(key.flowId, key.environment),
          repos.deployments.getDeployment(key.flowId, key.environment),
        ]);
        try {
          const version = deployed?.version ?? null;
          const sourceNodeId = version === null ? null : await webhookNodeOf(key.flowId, version);
          found.set(id, { secret: stored ? decrypt(stored.encrypted, key) : null, version, sourceNodeId });
        } catch (err) {
          found.set(id, err as Error);
        }
      }
      return keys.map((k) => {
        const target = found.get(`${k.flowId}\u0000${k.environment}`)!;
        return target instanceof Error ? { ok: false, error: target } : { ok: true, value: target };
      });
    },
    maxItems: 500,
  });

  return { get: (flowId, environment) => lookups.submit({ flowId, environment }) };
}
