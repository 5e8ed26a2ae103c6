import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import { createYoga, maskError } from 'graphql-yoga';
import type { GatewayContext, ResolverLimits } from './context.js';
import { clientErrorForUpstream } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { useBodyLimit } from '../limits/body-limit.js';
import { useCsrfPrevention } from '../limits/csrf.js';
import type { TrustedDocumentsOptions } from '../limits/trusted-documents.js';
import { useTrustedDocuments } from '../limits/trusted-documents.js';
import { useFinishUpstream } from './plugins/finish-upstream.js';
import type { GraphiQLDefaults } from './plugins/graphiql-page.js';
import { useGraphiQLPage } from './plugins/graphiql-page.js';
import { useIntrospection } from './plugins/introspection.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { useGatewayMetrics } from '../observability/metrics.js';
import type { OperationLimits } from '../limits/operation-limits.js';
import { useOperationLimits } from '../limits/operation-limits.js';
import { boundedParserCache } from '../limits/document-cache.js';
import { useJsonDepthLimit } from '../limits/json-depth.js';
import { useRequestLog, yogaLogger } from '../observability/request-log.js';
import type { RequestEvents } from '../observability/request-events.js';
import { createRequestContext } from './request-context.js';
import { GATEWAY_PATHS } from '../paths.js';
import { corsFor } from './cors.js';
import { useUpstreamErrors } from './plugins/upstream-errors.js';
import { buildSchema } from './schema/index.js';
import type { AuthentikClient } from '../upstream/authentik.js';
import { RequestBudget } from '../upstream/request-budget.js';

export interface GatewayDeps {
  /** The authentik origin's client (one undici Pool), created and closed by the caller. */
  authentik: AuthentikClient;
  limits: ResolverLimits;
  /** GraphiQL on GET /graphql for browsers (GRAPHIQL), with the page's defaults; false turns it off. */
  graphiql: false | GraphiQLDefaults;
  /** DOCUMENT_CACHE_BYTES: memory yoga's parse caches may hold (see document-cache.ts); 0 turns them off. */
  documentCacheBytes: number;
  /** Depth, alias, token, directive, cost, body, batch and JSON-depth limits (from the config). */
  operationLimits: OperationLimits;
  /** Schema introspection (`__schema`, `__type`) (INTROSPECTION). */
  introspection: boolean;
  /** One JSON line per request, and yoga's own messages. Default none (yoga logs to the console). */
  logger?: Logger;
  /** Prometheus metrics, served at /metrics. Default none. */
  metrics?: GatewayMetrics;
  /** Where requests report upstream calls and writes (see request-events.ts). Default none. */
  events?: RequestEvents;
  /** Origins allowed cross-origin (CORS_ORIGINS): a list or `*`. Default none (same origin only). */
  corsOrigins?: readonly string[] | '*';
  /** More envelop plugins, run after the gateway's own (e.g. tracing). Default none. */
  plugins?: Plugin[];
  /** Only these documents run (TRUSTED_DOCUMENTS). Default none: every document runs. */
  trustedDocuments?: TrustedDocumentsOptions;
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
  const limits = deps.operationLimits;
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: GATEWAY_PATHS.graphql,
    // yoga's own health check answers any URL that ends with its endpoint (`/x/healthz`, a POST):
    // give it one no URL can end with (a parsed URL percent-encodes NUL), so that only the HTTP
    // server's exact GATEWAY_PATHS.health answers.
    healthCheckEndpoint: '\u0000',
    landingPage: false,
    // Served by useGraphiQLPage below: rendered once, compressed, never per request.
    graphiql: false,
    parserAndValidationCache: boundedParserCache(deps.documentCacheBytes),
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
      // GraphiQL's assets are bundled and served by the gateway: no CDN, so it works offline.
      ...(deps.graphiql === false
        ? []
        : [
            useGraphiQLPage(
              { title: 'authentik GraphQL gateway', ...deps.graphiql },
              GATEWAY_PATHS.graphql,
            ),
          ]),
      useCsrfPrevention(),
      useBodyLimit(limits.maxBodyBytes),
      useJsonDepthLimit(limits.maxJsonDepth),
      ...(deps.trustedDocuments ? useTrustedDocuments(deps.trustedDocuments) : []),
      useIntrospection(deps.introspection),
      ...useOperationLimits(limits, {
        introspection: deps.introspection,
      }),
      ...(deps.plugins ?? []),
    ],
    context: ({ request }) =>
      createRequestContext({
        authentik: deps.authentik,
        limits: deps.limits,
        request,
        budget: new RequestBudget(limits.maxCost),
        events: deps.events,
      }),
  });
}
