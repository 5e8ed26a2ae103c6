import { createRequire } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Plugin } from 'graphql-yoga';
import { useGraphQLSpans } from './graphql-spans.js';
import { OPERATIONAL_PATHS } from '../paths.js';

/** A running OpenTelemetry SDK and the envelop plugin that adds the GraphQL spans. */
export interface Tracing {
  /** Spans for parse, validate and execute, children of the request's SERVER span. */
  plugin: Plugin;
  /** Exports the spans still buffered and stops the SDK. */
  shutdown(): Promise<void>;
}

// A GraphQL GET carries the operation in its query string: never into a span attribute.
const REDACTED_QUERY_PARAMETERS = ['query', 'variables', 'extensions', 'operationName'];

/**
 * Starts the OpenTelemetry Node SDK, configured by the standard `OTEL_*` variables
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, `http/json`,
 * `grpc`), `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_PROPAGATORS`, ...). It traces:
 * - every HTTP request as a SERVER span (instrumentation-http), continuing an incoming W3C
 *   `traceparent`;
 * - the GraphQL phases (the returned plugin);
 * - every call to authentik as a CLIENT span (instrumentation-undici), whose context is sent to
 *   authentik as `traceparent`.
 * Exports traces only (metrics are on /metrics). Main imports this module only when tracing is
 * configured, so a gateway without `OTEL_*` loads none of it.
 */
export function startTracing(): Tracing {
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME (read by the SDK) wins over this default.
    serviceName: process.env.OTEL_SERVICE_NAME?.trim() ? undefined : 'authentik-graphql-gateway',
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) =>
          // Probes and scrapes are not operations: they would drown the traces that matter.
          OPERATIONAL_PATHS.has((request.url ?? '/').split('?', 1)[0]!),
        // The gateway makes no node:http calls of its own (authentik is called through undici).
        disableOutgoingRequestInstrumentation: true,
        redactedQueryParamsServer: REDACTED_QUERY_PARAMETERS,
      }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  // instrumentation-http patches node:http when it is required after start(); main.ts imported
  // it (as ESM) before, so require it once more here.
  createRequire(import.meta.url)('http');
  return {
    plugin: useGraphQLSpans(),
    shutdown: () => sdk.shutdown(),
  };
}
