/**
 * Refreshes the database-wide gauges at most once per `maxAgeMs`, however
 * often Prometheus scrapes: a scrape serves what was sampled, and only a scrape
 * that finds the sample older than that waits for a new one (concurrent
 * scrapes share it). A failed sample keeps the last values and is retried at
 * the next scrape.
 */
export interface HealthSampler {
  /** Resolves once the gauges are no older than allowed (or the refresh failed). */
  fresh(): Promise<void>;
}

export function createHealthSampler(sample: () => Promise<void>, options: { maxAgeMs: number; now?: () => number; onError?: (err: unknown) => void }): HealthSampler {
  const now = options.now ?? Date.now;
  let sampledAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;
  return {
    async fresh() {
      if (options.maxAgeMs > 0 && now() - sampledAt < options.maxAgeMs) return;
      inFlight ??= sample().then(
        () => { sampledAt = now(); },
        (err) => options.onError?.(err),
      ).finally(() => { inFlight = null; });
      await inFlight;
    },
  };
}
