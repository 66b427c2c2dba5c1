/**
 * Reads an environment's connection bindings from a JSON file. Secrets stay
 * out of flow files and out of this file too: a value such as
 * `"Bearer $env:ERP_TOKEN"` takes the token from the process environment.
 */
import { readFile } from 'node:fs/promises';
import { FlowError } from '../../nodes/errors.ts';
import { bindingProblem, type ConnectionBinding, type ConnectionBindings } from './connection-registry.ts';

const ENV_REFERENCE = /\$env:([A-Za-z_][A-Za-z0-9_]*)/g;

/** Replaces every `$env:NAME` in the string values of `value` from `env`; a missing variable is an error. */
export function resolveEnvReferences(value: unknown, env: Record<string, string | undefined>, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_, name: string) => {
      const resolved = env[name];
      if (resolved === undefined) {
        throw new FlowError('permanent', `${where}: environment variable ${name} is not set`, { field: name });
      }
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveEnvReferences(v, env, where));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnvReferences(v, env, where)]));
  }
  return value;
}

/**
 * Loads `{ "<name>": { "kind": "postgres" | "http", … } }` from `path`,
 * resolving `$env:NAME` references. Throws a permanent FlowError naming the
 * file and connection when the file is unreadable or a binding is invalid.
 */
export async function loadConnectionsFile(
  path: string,
  env: Record<string, string | undefined>,
): Promise<ConnectionBindings> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new FlowError('permanent', `connections file ${path} could not be read: ${(err as Error).message}`, { cause: err });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FlowError('permanent', `connections file ${path} must hold an object of named connections`);
  }
  const bindings: ConnectionBindings = {};
  for (const [name, raw] of Object.entries(parsed)) {
    const binding = resolveEnvReferences(raw, env, `connections file ${path}, connection '${name}'`);
    const problem = bindingProblem(name, binding);
    if (problem) throw new FlowError('permanent', `connections file ${path}: ${problem}`, { field: name });
    bindings[name] = binding as ConnectionBinding;
  }
  return bindings;
}
