/**
 * Route by condition: each record leaves by the first route whose condition
 * holds (in the order listed), else by the default port, else nowhere.
 */
import { Enum, Expression, Type, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type Emission, type PortDeclaration } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import { compileConfigExpression } from '../expression/config-expressions.ts';
import { isTruthy } from '../expression/truthy.ts';

const PORT_ID = '^[A-Za-z][A-Za-z0-9_-]*$';

const route = Type.Object({
  /** Output port id, e.g. `de`. */
  port: Type.String({ title: 'Port id', description: 'Output port name, e.g. "de".', pattern: PORT_ID }),
  /** Shown on the canvas; the port id when absent. */
  label: Type.Optional(Type.String({ title: 'Label', description: 'Shown on the canvas next to the port.' })),
  /** JSONata on the record; the route is taken when it is true (JSONata truthiness). */
  condition: Expression({ title: 'Condition', description: "JSONata on the record, e.g. header.legalEntity = 'DE01'.", minLength: 1 }),
}, { title: 'Route', additionalProperties: false });

const config = Type.Object({
  routes: Type.Array(route, { title: 'Routes', description: 'Checked in order; the first route whose condition is true takes the record.', default: [] }),
  /** Port for records no route takes; null drops them (counted as filtered). */
  defaultPort: Enum(['default', null], {
    title: 'Default port',
    description: 'Where records matching no route go: the "default" port, or nowhere (null: they are dropped and counted as filtered).',
    default: 'default',
  }),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Route by condition', additionalProperties: false });

export type RouteDeclaration = Static<typeof route>;
export type RouteConfig = Static<typeof config>;

function routePorts(config: RouteConfig): PortDeclaration[] {
  const ports: PortDeclaration[] = (config.routes ?? []).map((r) => ({ id: r.port, title: r.label || r.port }));
  if (config.defaultPort) ports.push({ id: config.defaultPort, title: 'Default' });
  return ports;
}

function checkPorts(config: RouteConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  (config.routes ?? []).forEach((route, i) => {
    const path = `/routes/${i}/port`;
    if (!route.port || !new RegExp(PORT_ID).test(route.port)) {
      problems.push({ path, message: `Port id "${route.port ?? ''}" must start with a letter and use only letters, digits, "-" and "_"` });
    } else if (seen.has(route.port)) {
      problems.push({ path, message: `Two routes use the port "${route.port}"; each route needs its own` });
    } else if (config.defaultPort && route.port === config.defaultPort) {
      problems.push({ path, message: `The port "${route.port}" is the default port; give this route another id` });
    }
    seen.add(route.port);
  });
  if ((config.routes ?? []).length === 0 && !config.defaultPort) {
    problems.push({ path: '/routes', message: 'With no routes and no default port every record would be dropped' });
  }
  return problems;
}

/** `route.condition`: sends each record out of the first route whose condition holds. */
export const routeNode = defineNode({
  type: 'route.condition',
  version: 1,
  title: 'Route by condition',
  description: 'Sends each record to the first route whose condition is true, in order; records matching none go to the default port, or are dropped when there is none.',
  category: 'route',
  inputs: [{ id: 'in', title: 'In' }],
  outputs: routePorts,
  config,
  check: checkPorts,
  summary(config) {
    const ports = routePorts(config).map((p) => p.id);
    return ports.length ? `→ ${ports.join(' | ')}` : 'no routes';
  },
  create(config, setup) {
    const routes = (config.routes ?? []).map((r, i) => ({
      port: r.port,
      condition: compileConfigExpression(setup, `/routes/${i}/condition`, r.condition),
    }));
    const conditionError = (port: string, err: unknown): FlowError => {
      const e = err instanceof FlowError ? err : new FlowError('mapping', String((err as Error)?.message ?? err));
      return new FlowError(e.errorClass, `Condition of route "${port}" could not be evaluated: ${e.message}`, {
        ...e.details,
        nodeId: setup.nodeId,
        cause: err,
      });
    };

    // Synchronous while conditions are (fast paths); switches to promises at the first one that is not.
    const from = (data: unknown, bindings: Record<string, unknown>, start: number): Emission[] | Promise<Emission[]> => {
      for (let i = start; i < routes.length; i++) {
        const { port, condition } = routes[i];
        let value: unknown;
        try {
          value = condition.evaluate(data, bindings);
        } catch (err) {
          throw conditionError(port, err);
        }
        if (value instanceof Promise) {
          return value.then(
            (v) => (isTruthy(v) ? [{ port, data }] : from(data, bindings, i + 1)),
            (err) => {
              throw conditionError(port, err);
            },
          );
        }
        if (isTruthy(value)) return [{ port, data }];
      }
      return config.defaultPort ? [{ port: config.defaultPort, data }] : [];
    };

    return {
      process: (data, bindings) => from(data, bindings, 0),
    };
  },
});
