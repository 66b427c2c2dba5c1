/** Types shared by the app and its route modules. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthUser } from '../auth/roles.ts';
import type { Store } from '../store/store.ts';
import type { Database } from '../store/database.ts';
import type { UseCaseDeps } from '../app/app-deps.ts';
import type { RunLauncher } from '../queue/run-launcher.ts';
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import type { EvaluatorRegistry } from '../evaluators.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { EnvironmentConfig } from '../promotion/environments.ts';
import type { PromotionOrder } from '../promotion/rules.ts';
import type { ServiceRepos } from '../store/service-repos.ts';
import type { LoginThrottleOptions } from '../app/sign-in.ts';
import type { EnvironmentConnections } from '../connectors/environment-connections.ts';
import type { Logger } from '../observability/logger.ts';
import type { LedgerflowMetrics } from '../observability/metrics.ts';

export interface AppEnv {
  Variables: {
    /** Set by the authentication middleware; null when the request carries no valid credentials. */
    user: AuthUser | null;
    /** The session token hash, for logout. */
    sessionHash: string | null;
    /** This request's id (X-Request-Id). */
    requestId: string;
    /** The app's logger with this request's id. */
    log: Logger;
  };
}

export type Api = OpenAPIHono<AppEnv>;

/** What `createApp` needs. Only database, launcher and secrets are required. */
export interface AppDeps {
  /** The one handle on the database (runtime/store/database.ts). */
  database: Database;
  /** Starts runs (manual, webhook, schedule, poll, replay) on the durable queue. */
  launcher: RunLauncher;
  /** Encrypts connection and webhook secrets at rest. */
  secrets: SecretBox;
  catalog?: NodeCatalog;
  /** The JSONata evaluators (runtime/evaluators.ts); default: a new registry for this app. */
  evaluators?: EvaluatorRegistry;
  /** Default dev, test, prod (prod needs approval). */
  environments?: EnvironmentConfig[];
  /** How promotion follows the environment order (runtime/promotion/rules.ts); default `ran`. */
  promotionOrder?: PromotionOrder;
  /** Largest request body, bytes; default 10 MB. */
  bodyLimitBytes?: number;
  /** Failed sign-ins allowed per username and per address in a window; default 5 in 15 minutes. */
  loginThrottle?: LoginThrottleOptions;
  /** Session lifetime; default 12 hours. */
  sessionTtlMs?: number;
  /** Built designer (dist/designer); null or missing: `/` says how to build it. */
  designerDir?: string | null;
  /** Webhook replay window, seconds; default 300. */
  webhookWindowSeconds?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /** Extra readiness check of the queue (e.g. pg-boss reachable); default launcher.stats(). */
  queueReady?: () => Promise<void>;
  /** The runtime's outbound fetch, for designer test runs' HTTP lookups (default `runtimeFetch()`). */
  fetch?: typeof fetch;
  /** Test runs and mapping tests in worker threads with memory and time limits (default true; runtime/preview). */
  previewInWorker?: boolean;
  /** Structured logger (one line per request, errors of unexpected kinds); default: logs nothing. */
  logger?: Logger;
  /** Metrics served at /metrics, on their own registry; default: a new registry for this app. */
  metrics?: LedgerflowMetrics;
  /** Longest age of the database-wide gauges of /metrics, seconds; default 15 (0: refreshed at each scrape). */
  metricsSampleSeconds?: number;
}

/** What route modules receive: the dependencies plus what is built from them once. */
export interface ApiContext {
  deps: AppDeps;
  database: Database;
  /** `database.store` */
  store: Store;
  launcher: RunLauncher;
  catalog: NodeCatalog;
  evaluators: EvaluatorRegistry;
  /** `database.service` */
  repos: ServiceRepos;
  environments: EnvironmentConfig[];
  connections: EnvironmentConnections;
  secrets: SecretBox;
  logger: Logger;
  metrics: LedgerflowMetrics;
  now: () => Date;
  /** Looks up an environment or throws 404 naming the known ones. */
  environment(name: string): EnvironmentConfig;
}

/** What the use cases of runtime/app need, from the API's context. */
export function appDeps(ctx: ApiContext): UseCaseDeps {
  return { database: ctx.database, launcher: ctx.launcher };
}
