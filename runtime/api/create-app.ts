/**
 * The HTTP app: API under /api, signed webhooks under /hooks, health probes,
 * the generated OpenAPI document and reference page, and the designer at `/`.
 * Returns the app without listening: tests call `app.request`, `serve` wires
 * it to a port.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { catalog as defaultCatalog } from '../../nodes/catalog.ts';
import { createEvaluatorRegistry } from '../evaluators.ts';
import { createEnvironmentConnections } from '../connectors/environment-connections.ts';
import { DEFAULT_ENVIRONMENTS } from '../promotion/environments.ts';
import type { ApiContext, AppDeps, AppEnv } from './app-env.ts';
import { renderDocsPage } from './docs-page.ts';
import { authenticate, sameOriginForCookies } from './middleware/auth.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { inputLimits } from './middleware/input-limits.ts';
import { requestLog } from './middleware/request-log.ts';
import { silentLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { findEnvironment } from '../app/app-context.ts';
import { ApiProblem, problemResponse, toProblem, type ProblemItem } from './problem.ts';
import { registerAlertRoutes } from './routes/alert-routes.ts';
import { FLOW_DOCUMENT_COMPONENTS } from './contract/schemas.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerDeadLetterRoutes } from './routes/dead-letter-routes.ts';
import { registerDeploymentRoutes } from './routes/deployment-routes.ts';
import { registerDesignRoutes } from './routes/design-routes.ts';
import { registerEnvironmentRoutes } from './routes/environment-routes.ts';
import { registerEnvironmentCheckRoutes } from './routes/environment-check-routes.ts';
import { registerFlowRoutes } from './routes/flow-routes.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { registerHookRoutes } from './routes/hook-routes.ts';
import { registerReferenceDataRoutes } from './routes/reference-data-routes.ts';
import { registerSubflowRoutes } from './routes/subflow-routes.ts';
import { registerRunRoutes } from './routes/run-routes.ts';
import { registerTriggerRoutes } from './routes/trigger-routes.ts';
import { registerUserRoutes } from './routes/user-routes.ts';
import { registerVersionRoutes } from './routes/version-routes.ts';
import { designerHandler } from './static-designer.ts';

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

const API_DESCRIPTION = `JSON over HTTP. Browsers sign in with **POST /api/auth/login** (an HttpOnly, SameSite=Lax cookie \`lf_session\`);
scripts send an API token as \`Authorization: Bearer <token>\` (**POST /api/tokens**).

Roles: **analyst** edits drafts, saves versions, runs tests and deploys to dev; **admin** does everything, including users,
connections, promotion to test and prod and approvals (prod needs an admin who authored no change in the version);
**operator** reads flows, watches runs and traces, replays and discards dead letters.

Errors are RFC 9457 problem documents (\`application/problem+json\`) with \`problems\` naming every field or node at fault,
and \`requiredRole\` on 403. Request bodies over the limit (default 10 MB) get 413.`;

function buildContext(deps: AppDeps): ApiContext {
  const environments = deps.environments ?? DEFAULT_ENVIRONMENTS.map((e) => ({ ...e }));
  return {
    deps, database: deps.database, store: deps.database.store, launcher: deps.launcher, secrets: deps.secrets,
    catalog: deps.catalog ?? defaultCatalog,
    evaluators: deps.evaluators ?? createEvaluatorRegistry(),
    repos: deps.database.service,
    environments,
    connections: createEnvironmentConnections({ database: deps.database, secrets: deps.secrets, defaultEnvironment: environments[0]?.name }),
    now: deps.now ?? (() => new Date()),
    logger: deps.logger ?? silentLogger(),
    metrics: deps.metrics ?? createMetrics(),
    environment: (name: string) => findEnvironment(environments, name),
  };
}

function validationProblems(target: string, issues: { path: PropertyKey[]; message: string }[]): ProblemItem[] {
  return issues.map((i) => {
    const path = i.path.map(String);
    return { path: target === 'json' ? `/${path.join('/')}` : `${target}${path.length ? `.${path.join('.')}` : ''}`, message: i.message };
  });
}

/** The app over `deps`; nothing listens until the caller serves it. */
export function createApp(deps: AppDeps) {
  const ctx = buildContext(deps);
  const { logger } = ctx;
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const problems = validationProblems(result.target, result.error.issues);
        throw new ApiProblem(400, `The request is not valid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`, { problems });
      }
    },
  });

  app.onError((err, c) => {
    const problem = toProblem(err);
    if (problem.status >= 500) (c.get('log') ?? logger).error({ err, method: c.req.method, path: c.req.path }, 'unexpected error');
    return problemResponse(c, problem);
  });

  app.use('*', securityHeaders());
  app.use('*', requestLog(logger));

  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const limitBody = bodyLimit({
    maxSize: limit,
    onError: (c) => problemResponse(c, new ApiProblem(413, `The request body is larger than the limit of ${limit} bytes.`)),
  });
  app.use('/api/*', limitBody);
  app.use('/hooks/*', limitBody);
  app.use('*', inputLimits());
  app.use('/api/*', authenticate(ctx.repos.users, ctx.now), sameOriginForCookies());

  registerHealthRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerFlowRoutes(app, ctx);
  registerVersionRoutes(app, ctx);
  registerDesignRoutes(app, ctx);
  registerEnvironmentRoutes(app, ctx);
  registerEnvironmentCheckRoutes(app, ctx);
  registerDeploymentRoutes(app, ctx);
  registerTriggerRoutes(app, ctx);
  registerRunRoutes(app, ctx);
  registerDeadLetterRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerReferenceDataRoutes(app, ctx);
  registerAlertRoutes(app, ctx);
  registerSubflowRoutes(app, ctx);
  registerHookRoutes(app, ctx);

  app.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', { type: 'apiKey', in: 'cookie', name: 'lf_session', description: 'Set by POST /api/auth/login' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerToken', { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/tokens' });

  let doc: Record<string, any> | undefined;
  const openApiDocument = () => {
    if (!doc) {
      doc = app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'Ledgerflow', version: '1', description: API_DESCRIPTION },
        tags: ['Auth', 'Users', 'Flows', 'Versions', 'Designing', 'Environments', 'Deployments', 'Triggers', 'Runs', 'Operations', 'Health'].map((name) => ({ name })),
      }) as Record<string, any>;
      // The flow document's components are its JSON Schemas as nodes/ writes them (2020-12, as OpenAPI 3.1 uses).
      Object.assign(doc.components.schemas, FLOW_DOCUMENT_COMPONENTS);
    }
    return doc;
  };
  app.get('/api/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/api/docs', (c) => c.html(renderDocsPage(openApiDocument())));

  const unknownRoute = (c: Context) => problemResponse(c, new ApiProblem(404, `There is no ${c.req.method} ${c.req.path}; see /api/docs.`));
  app.all('/api/*', unknownRoute);
  app.all('/hooks/*', unknownRoute);
  app.get('*', designerHandler(deps.designerDir));
  return app;
}

export type LedgerflowApp = ReturnType<typeof createApp>;
