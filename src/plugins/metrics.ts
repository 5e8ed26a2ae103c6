import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CompletedCall } from '../upstream/http.js';
import { errorCodesOf } from './error-codes.js';

/** The gateway's own Prometheus metrics, next to graphql-yoga's (one registry per gateway). */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** HTTP requests being served (set by the server wrapper). */
  readonly inFlight: Gauge;
  /** GraphQL errors returned, by `extensions.code`. */
  readonly errors: Counter<'code'>;
  /** Calls to authentik, by method, endpoint template and outcome. */
  readonly upstreamDuration: Histogram<'method' | 'endpoint' | 'outcome'>;
  /** Records one finished upstream call. */
  observeUpstream(call: CompletedCall): void;
}

// `/api/v3/core/users/7/?x=1` -> `/api/v3/core/users/{pk}/`: a small, fixed label set.
function endpointOf(path: string): string {
  return path.split('?', 1)[0]!.replace(/\/\d+(?=\/|$)/g, '/{pk}');
}

export interface GatewayMetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag). Default true. */
  processMetrics?: boolean;
  /** The upstream circuit breaker's state, exported as `gateway_upstream_circuit_open`. */
  circuitState?: () => 'closed' | 'open' | 'half-open' | undefined;
}

/** Creates the metrics in a fresh registry. */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const { circuitState } = options;
  if (circuitState) {
    new Gauge({
      name: 'gateway_upstream_circuit_open',
      help: '1 while the circuit breaker refuses calls to authentik (open), else 0',
      registers: [registry],
      collect() {
        this.set(circuitState() === 'open' ? 1 : 0);
      },
    });
  }
  const inFlight = new Gauge({
    name: 'gateway_http_requests_in_flight',
    help: 'HTTP requests being served',
    registers: [registry],
  });
  const errors = new Counter({
    name: 'gateway_graphql_errors_total',
    help: 'GraphQL errors returned to clients, by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Calls to authentik: time from sending to the last body byte',
    labelNames: ['method', 'endpoint', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    inFlight,
    errors,
    upstreamDuration,
    observeUpstream(call) {
      upstreamDuration
        .labels(call.method, endpointOf(call.path), call.outcome)
        .observe(call.durationMs / 1000);
    },
  };
}

/**
 * Serves the registry at GET /metrics and fills it: operations, durations and errors per phase
 * from graphql-yoga's Prometheus plugin (operation names are client-chosen, so they are not a
 * label), plus errors by code.
 */
export function useGatewayMetrics(metrics: GatewayMetrics): Plugin[] {
  return [
    usePrometheus({
      registry: metrics.registry,
      endpoint: '/metrics',
      labels: { operationName: false, path: false, url: false },
      metrics: {
        graphql_envelop_request: true,
        graphql_envelop_request_duration: true,
        graphql_envelop_error_result: true,
        // Per-phase histograms cost ~3% CPU per request for little insight: parse and validate
        // are cached per document, and execute time is in graphql_envelop_request_duration.
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_phase_execute: false,
        graphql_yoga_http_duration: true,
        graphql_envelop_request_time_summary: false,
        graphql_envelop_deprecated_field: false,
        graphql_envelop_schema_change: false,
        graphql_envelop_phase_subscribe: false,
        graphql_envelop_execute_resolver: false,
      },
    }),
    {
      onResultProcess({ result }) {
        for (const code of errorCodesOf(result)) metrics.errors.labels(code).inc();
      },
    },
  ];
}
