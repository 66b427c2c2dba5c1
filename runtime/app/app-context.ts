/**
 * What the use cases of runtime/app need: the store and the service
 * repositories, the node catalog, the environments, and a few settings. The
 * API's context (runtime/api/app-env.ts) is one.
 */
import type { NodeCatalog } from '../../nodes/node-catalog.ts';
import type { EvaluatorRegistry } from '../evaluators.ts';
import type { EnvironmentConfig } from '../promotion/environments.ts';
import type { PromotionOrder } from '../promotion/rules.ts';
import type { ServiceRepos } from '../store/service-repos.ts';
import type { Store } from '../store/store.ts';
import { AppProblem } from './problem.ts';

export interface AppContext {
  store: Store;
  repos: ServiceRepos;
  catalog: NodeCatalog;
  /** The JSONata evaluators validation and previews use (made by the composition root). */
  evaluators: EvaluatorRegistry;
  environments: EnvironmentConfig[];
  /** Looks up an environment or throws 404 naming the known ones. */
  environment(name: string): EnvironmentConfig;
  deps: {
    /** How promotion follows the environment order (runtime/promotion/rules.ts); default `ran`. */
    promotionOrder?: PromotionOrder;
    /** Test runs and mapping tests in worker threads (default true; runtime/preview). */
    previewInWorker?: boolean;
  };
}

/** The environment named `name`, or 404 naming the known ones. */
export function findEnvironment(environments: readonly EnvironmentConfig[], name: string): EnvironmentConfig {
  const env = environments.find((e) => e.name === name);
  if (!env) throw new AppProblem(404, `There is no environment '${name}' (environments: ${environments.map((e) => e.name).join(', ')}).`, { problems: [{ path: 'environment', message: `unknown environment '${name}'` }] });
  return env;
}
