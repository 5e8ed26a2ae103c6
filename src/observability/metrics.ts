import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { GATEWAY_PATHS } from '../paths.js';
import { operationTypeOf } from './operation-type.js';
import type { AuditedWrite } from './audit.js';
import type { CompletedCall } from '../upstream/http.js';
import { GRANT_KINDS } from '../upstream/grant-kinds.js';
import type { EventLoopWatch } from './event-loop.js';
import type { DocumentTrust } from '../limits/trusted-documents.js';
import { errorCodesOf } from '../errors.js';

/** The gateway's own Prometheus metrics, next to graphql-yoga's (one registry per gateway). */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** HTTP requests being served (set by the server wrapper). */
  readonly inFlight: Gauge;
  /** HTTP requests served, by method and status, with their duration (set by the server wrapper). */
  readonly httpDuration: Histogram<'method' | 'status'>;
  /** GraphQL operations executed, by operation type. */
  readonly operations: Counter<'operation_type'>;
  /** GraphQL errors returned, by `extensions.code`. */
  readonly errors: Counter<'code'>;
  /** Calls to authentik, by method, endpoint template and outcome. */
  readonly upstreamDuration: Histogram<'method' | 'endpoint' | 'outcome'>;
  /** Records one finished upstream call. */
  observeUpstream(call: CompletedCall): void;
  /** Counts the errors of one answer, by their codes (see errorCodesOf). */
  countErrors(codes: readonly string[]): void;
  /** Grants handled by the write mutations (revokeOAuth2Grants, delete*), by kind and outcome. */
  readonly revokedGrants: Counter<'kind' | 'outcome'>;
  /** Write mutations, by mutation field and outcome. */
  readonly writes: Counter<'mutation' | 'outcome'>;
  /** Counts one finished write mutation (see audit.ts). */
  countWrite(write: AuditedWrite): void;
  /** Operations by how their document was judged under TRUSTED_DOCUMENTS (none without it). */
  readonly documents: Counter<'document'>;
  /** Counts one operation's document: trusted, untrusted (rollout mode) or refused. */
  countDocument(trust: DocumentTrust): void;
}

export interface GatewayMetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag). */
  processMetrics: boolean;
  /** The upstream circuit breaker's state, exported as `gateway_upstream_circuit_open`. */
  circuitState?: () => 'closed' | 'open' | 'half-open' | undefined;
  /** The gateway's event-loop watch, exported as `gateway_event_loop_*`. Default none. */
  eventLoop?: EventLoopWatch;
  /** How many documents TRUSTED_DOCUMENTS lists now, exported as `gateway_trusted_documents`. */
  trustedDocuments?: () => number;
}

// How late the loop ran since the last scrape, and for how long in all it was blocked.
function registerEventLoopMetrics(registry: Registry, watch: EventLoopWatch): void {
  new Gauge({
    name: 'gateway_event_loop_delay_seconds',
    help: 'How late the event loop ran since the last scrape (perf_hooks.monitorEventLoopDelay), by quantile',
    labelNames: ['quantile'] as const,
    registers: [registry],
    collect() {
      const { delay } = watch;
      const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
      this.labels('0.5').set(seconds(delay.percentile(50)));
      this.labels('0.99').set(seconds(delay.percentile(99)));
      this.labels('1').set(seconds(delay.max));
      delay.reset();
    },
  });
  let reported = 0;
  new Counter({
    name: 'gateway_event_loop_stalled_seconds_total',
    help:
      'Time the event loop was blocked (ran 25 ms or more late); upstream timeouts during such stalls ' +
      'do not count against authentik in the circuit breaker',
    registers: [registry],
    collect() {
      const total = watch.stalledMsTotal / 1000;
      this.inc(total - reported);
      reported = total;
    },
  });
}

/** Creates the metrics in a fresh registry. */
export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const { circuitState } = options;
  if (options.eventLoop) registerEventLoopMetrics(registry, options.eventLoop);
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
  const { trustedDocuments } = options;
  if (trustedDocuments) {
    new Gauge({
      name: 'gateway_trusted_documents',
      help: 'Documents listed by TRUSTED_DOCUMENTS (after the last successful load or SIGHUP reload)',
      registers: [registry],
      collect() {
        this.set(trustedDocuments());
      },
    });
  }
  const inFlight = new Gauge({
    name: 'gateway_http_requests_in_flight',
    help: 'HTTP requests being served',
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'HTTP requests served through GraphQL (not /healthz, /readyz): time to the last byte',
    labelNames: ['method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Every counter lives in this registry; its labels are fixed sets, never client values.
  const counter = <Label extends string>(name: string, help: string, labels: readonly Label[]) =>
    new Counter<Label>({ name, help, labelNames: labels, registers: [registry] });
  const operations = counter(
    'gateway_graphql_operations_total',
    'GraphQL operations executed, by operation type',
    ['operation_type'],
  );
  const errors = counter(
    'gateway_graphql_errors_total',
    'GraphQL errors returned to clients, by extensions.code',
    ['code'],
  );
  const upstreamDuration = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Calls to authentik: time from sending to the last body byte',
    labelNames: ['method', 'endpoint', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const revokedGrants = counter(
    'gateway_oauth2_grants_revoked_total',
    `Grants handled by revokeOAuth2Grants and the delete mutations, by kind (${GRANT_KINDS.map(
      (kind) => kind.segment,
    ).join(', ')}) and outcome (deleted, already_gone, failed, dry_run: matched by a dry run)`,
    ['kind', 'outcome'],
  );
  const writes = counter(
    'gateway_write_mutations_total',
    'Mutations that delete in authentik (revokeOAuth2Grants, delete*), by mutation and outcome ' +
      '(deleted, dry_run, refused, not_found, failed); each also writes one audit log line',
    ['mutation', 'outcome'],
  );
  const documents = counter(
    'gateway_graphql_documents_total',
    'GraphQL operations under TRUSTED_DOCUMENTS, by their document: trusted (listed, by id or ' +
      'exact text), untrusted (free-form, run because ALLOW_ARBITRARY_DOCUMENTS is on) or refused',
    ['document'],
  );
  return {
    registry,
    inFlight,
    documents,
    revokedGrants,
    writes,
    httpDuration,
    operations,
    errors,
    upstreamDuration,
    observeUpstream(call) {
      upstreamDuration
        // The route's template, never the path: no value from a request becomes a label.
        .labels(call.method, call.route, call.outcome)
        .observe(call.durationMs / 1000);
    },
    countErrors(codes) {
      for (const code of codes) errors.labels(code).inc();
    },
    countDocument(trust) {
      documents.labels(trust).inc();
    },
    countWrite(write) {
      writes.labels(write.mutation, write.outcome).inc();
      for (const [kind, counts] of Object.entries(write.counts ?? {})) {
        if (write.outcome === 'dry_run') {
          revokedGrants.labels(kind, 'dry_run').inc(counts.matched);
          continue;
        }
        revokedGrants.labels(kind, 'deleted').inc(counts.deleted);
        revokedGrants.labels(kind, 'already_gone').inc(counts.alreadyGone);
        revokedGrants.labels(kind, 'failed').inc(counts.failed);
      }
    },
  };
}

/**
 * Serves the registry at GET /metrics and counts operations by type and errors by code. (HTTP
 * durations and requests in flight are recorded by the server wrapper, which sees every request.)
 * Written on prom-client directly: graphql-yoga's Prometheus plugin cost ~0.1 ms of CPU per
 * request, a quarter of the gateway's whole cost (see the README's Performance section).
 */
export function useGatewayMetrics(metrics: GatewayMetrics): Plugin {
  return {
    onRequest({ url, request, fetchAPI, endResponse }) {
      if (url.pathname !== GATEWAY_PATHS.metrics || request.method !== 'GET') return undefined;
      return metrics.registry.metrics().then((text) => {
        endResponse(
          new fetchAPI.Response(text, {
            headers: { 'content-type': metrics.registry.contentType },
          }),
        );
      });
    },
    onExecute({ args }) {
      const type = operationTypeOf(args.document, args.operationName) ?? 'unknown';
      metrics.operations.labels(type).inc();
    },
    onResultProcess({ result }) {
      metrics.countErrors(errorCodesOf(result));
    },
  };
}
