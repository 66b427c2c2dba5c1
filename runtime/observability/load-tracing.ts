/** Loads the OpenTelemetry SDK only when an endpoint is set: it costs start-up time otherwise. */
import type { RunTracing } from './tracing.ts';

export async function loadRunTracing(endpoint: string | undefined): Promise<RunTracing | null> {
  if (!endpoint) return null;
  const { createRunTracing } = await import('./tracing.ts');
  return createRunTracing({ endpoint });
}
