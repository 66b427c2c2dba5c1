/**
 * Environments, in promotion order. The list is configurable
 * (LEDGERFLOW_ENVIRONMENTS=dev,test,prod!); the last one and any marked `!`
 * need an approved promotion.
 */
export interface EnvironmentConfig {
  name: string;
  /** 0 for the first (dev). */
  position: number;
  /** Deploys only through an approved promotion, with four-eyes. */
  requiresApproval: boolean;
}

export const DEFAULT_ENVIRONMENTS: readonly EnvironmentConfig[] = [
  { name: 'dev', position: 0, requiresApproval: false },
  { name: 'test', position: 1, requiresApproval: false },
  { name: 'prod', position: 2, requiresApproval: true },
];

/**
 * Parses `dev,test,prod!` (a `!` marks approval). Without any `!`, the last
 * environment requires approval. Throws on bad or duplicate names.
 */
export function parseEnvironments(text: string | undefined): EnvironmentConfig[] {
  if (!text?.trim()) return DEFAULT_ENVIRONMENTS.map((e) => ({ ...e }));
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const marked = items.some((s) => s.endsWith('!'));
  const seen = new Set<string>();
  return items.map((item, position) => {
    const name = item.replace(/!$/, '');
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) throw new Error(`LEDGERFLOW_ENVIRONMENTS: '${name}' is not a valid environment name (lower-case letters, digits, -)`);
    if (seen.has(name)) throw new Error(`LEDGERFLOW_ENVIRONMENTS: '${name}' is listed twice`);
    seen.add(name);
    return { name, position, requiresApproval: marked ? item.endsWith('!') : position === items.length - 1 && items.length > 1 };
  });
}
