/**
 * The gateway's own HTTP paths: the one table the server, yoga, the request log and tracing read.
 */
export const GATEWAY_PATHS = {
  /** GraphQL (and GraphiQL for browsers). */
  graphql: '/graphql',
  /** Liveness: the process answers (served by the HTTP server itself). */
  health: '/healthz',
  /** Readiness: authentik answers and the gateway is not draining (the HTTP server itself). */
  ready: '/readyz',
  /** Prometheus metrics. */
  metrics: '/metrics',
} as const;

/** Probes and scrapes: not traced, and logged at debug when no GraphQL operation ran. */
export const OPERATIONAL_PATHS: ReadonlySet<string> = new Set([
  GATEWAY_PATHS.health,
  GATEWAY_PATHS.ready,
  GATEWAY_PATHS.metrics,
]);
