/** Answers "is authentik ready?" from a probe, at most one probe per `cacheMs`. */
export interface ReadinessOptions {
  /** How long a probe result is reused, in ms (READY_CACHE_MS). */
  cacheMs: number;
  /** How long one probe may take before it counts as "not ready", in ms (READY_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * Wraps a readiness probe (e.g. `AuthentikClient.isReady`) so that frequent /readyz checks cost
 * authentik one request per `cacheMs`; concurrent checks share the probe in flight.
 */
export function cachedReadiness(
  probe: (signal: AbortSignal) => Promise<boolean>,
  { cacheMs, timeoutMs }: ReadinessOptions,
): () => Promise<boolean> {
  let last: { ready: boolean; at: number } | undefined;
  let pending: Promise<boolean> | undefined;
  return () => {
    if (last && performance.now() - last.at < cacheMs) return Promise.resolve(last.ready);
    pending ??= probe(AbortSignal.timeout(timeoutMs))
      .catch(() => false)
      .then((ready) => {
        last = { ready, at: performance.now() };
        pending = undefined;
        return ready;
      });
    return pending;
  };
}
