import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import { createYoga, maskError } from 'graphql-yoga';
import type { GatewayContext, ResolverLimits } from './context.js';
import { clientErrorForUpstream } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { useBodyLimit } from '../limits/body-limit.js';
import { useCsrfPrevention } from '../limits/csrf.js';
import { useFinishUpstream } from './plugins/finish-upstream.js';
import { useIntrospection } from './plugins/introspection.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { useGatewayMetrics } from '../observability/metrics.js';
import type { OperationLimits } from '../limits/operation-limits.js';
import { resolveOperationLimits, useOperationLimits } from '../limits/operation-limits.js';
import { logRevoke, useRequestLog, yogaLogger } from '../observability/request-log.js';
import { createRequestContext } from './request-context.js';
import { corsFor } from '../http/cors.js';
import type { RevokeResult } from '../grants/revoke.js';
import { useUpstreamErrors } from './plugins/upstream-errors.js';
import { buildSchema } from './schema/index.js';
import type { AuthentikClient } from '../upstream/authentik.js';

/** What GraphiQL opens with (demo mode prefills a working query and the demo token). */
export interface GraphiQLDefaults {
  defaultQuery?: string;
  /** JSON object of headers, e.g. `{"Authorization": "Bearer ..."}`. */
  headers?: string;
}

export interface GatewayDeps {
  /** The authentik origin's client (one undici Pool), created and closed by the caller. */
  authentik: AuthentikClient;
  limits: ResolverLimits;
  /** GraphiQL on GET /graphql for browsers: false to turn it off. Default on. */
  graphiql?: false | GraphiQLDefaults;
  /** Depth, alias, token, directive, cost, body and batch limits. Default DEFAULT_OPERATION_LIMITS. */
  operationLimits?: Partial<OperationLimits>;
  /** Schema introspection (`__schema`, `__type`). Default on. */
  introspection?: boolean;
  /** One JSON line per request, and yoga's own messages. Default none (yoga logs to the console). */
  logger?: Logger;
  /** Prometheus metrics, served at /metrics. Default none. */
  metrics?: GatewayMetrics;
  /** Origins allowed cross-origin (CORS_ORIGINS): a list or `*`. Default none (same origin only). */
  corsOrigins?: readonly string[] | '*';
  /** More envelop plugins, run after the gateway's own (e.g. tracing). Default none. */
  plugins?: Plugin<GatewayContext>[];
}

/** The yoga instance the gateway serves. */
export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;

let schema: ReturnType<typeof buildSchema> | undefined;

// Expected failures carry their own GraphQL error; upstream ones are translated; the rest is masked.
function maskGatewayError(error: unknown, message: string, isDev?: boolean): Error {
  return clientErrorForUpstream(error) ?? maskError(error, message, isDev);
}

/**
 * Wires schema, context and plugins into a yoga instance (the GraphQL part of the composition
 * root, `src/app.ts`). It never listens.
 */
export function createGateway(deps: GatewayDeps): GatewayYoga {
  schema ??= buildSchema();
  const limits = resolveOperationLimits(deps.operationLimits);
  const introspection = deps.introspection ?? true;
  const { logger, metrics } = deps;
  // Every revoke is logged (one line, counts only) and counted in /metrics.
  const onRevoke = (requestId: string, result: RevokeResult) => {
    if (logger) logRevoke(logger, requestId, result);
    metrics?.countRevoke(result);
  };
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL's assets are bundled and served by the gateway: no CDN, so it works offline. The
    // bundle (~35 MB in memory) is loaded on the first page view, not by every gateway.
    renderGraphiQL: async (options) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    graphiql:
      deps.graphiql === false ? false : { title: 'authentik GraphQL gateway', ...deps.graphiql },
    maskedErrors: { maskError: maskGatewayError },
    ...(deps.logger ? { logging: yogaLogger(deps.logger) } : {}),
    batching: limits.maxBatchSize > 0 ? { limit: limits.maxBatchSize } : false,
    // useBodyLimit caps the body instead (see why there), with an error that names the limit.
    maxRequestBodySize: false,
    cors: corsFor(deps.corsOrigins),
    plugins: [
      // First, so that the log and metrics below see upstream failures already translated.
      useUpstreamErrors(),
      useFinishUpstream(),
      ...(deps.logger ? [useRequestLog(deps.logger)] : []),
      ...(deps.metrics ? [useGatewayMetrics(deps.metrics)] : []),
      useCsrfPrevention(),
      useBodyLimit(limits.maxBodyBytes),
      useIntrospection(introspection),
      ...useOperationLimits(limits, {
        maxPageSize: deps.limits.maxPageSize,
        searchScanLimit: deps.limits.searchScanLimit,
        introspection,
      }),
      ...(deps.plugins ?? []),
    ],
    context: ({ request }) =>
      createRequestContext(
        deps.authentik,
        deps.limits,
        request,
        deps.metrics?.observeUpstream,
        { maxCalls: limits.maxCost },
        onRevoke,
      ),
  });
}
