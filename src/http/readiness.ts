/** Answers "is authentik ready?" from a probe, at most one probe per `cacheMs`. */
export interface ReadinessOptions {
  /** How long a probe result is reused, in ms. Default 2000. */
  cacheMs?: number;
  /** How long one probe may take before it counts as "not ready", in ms. Default 2000. */
  timeoutMs?: number;
}

/**
 * Wraps a readiness probe (e.g. `AuthentikClient.isReady`) so that frequent /readyz checks cost
 * authentik one request per `cacheMs`; concurrent checks share the probe in flight.
 */
export function cachedReadiness(
  probe: (signal: AbortSignal) => Promise<boolean>,
  options: ReadinessOptions = {},
): () => Promise<boolean> {
  const cacheMs = options.cacheMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 2000;
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
