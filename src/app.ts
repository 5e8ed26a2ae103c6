import type { Plugin } from 'graphql-yoga';
import type { DestinationStream } from 'pino';
import type { GatewayConfig } from './config.js';
import { ConfigError } from './config.js';
import { startDemo } from './demo.js';
import type { Demo } from './demo.js';
import { buildSchema } from './graphql/schema/index.js';
import { createGateway } from './graphql/yoga.js';
import type { GatewayYoga } from './graphql/yoga.js';
import { createRequestEvents } from './observability/request-events.js';
import { createLogger } from './observability/logger.js';
import type { Logger } from './observability/logger.js';
import { watchEventLoop } from './observability/event-loop.js';
import { createGatewayMetrics } from './observability/metrics.js';
import type { GatewayMetrics } from './observability/metrics.js';
import { createHttpServer } from './http/http-server.js';
import type { GatewayHttpServer } from './http/http-server.js';
import { cachedReadiness } from './http/readiness.js';
import { TrustedDocumentsError } from './limits/trusted-document-manifest.js';
import { TrustedDocumentStore } from './limits/trusted-document-store.js';
import { AuthentikClient } from './upstream/authentik.js';
import { UpstreamHttp } from './upstream/http.js';

/** What a caller may change besides the configuration (tests, the bench). */
export interface AppOptions {
  /** Where the JSON log lines go. Default stdout. */
  logDestination?: DestinationStream;
  /** Node's process metrics in /metrics. Default true. */
  processMetrics?: boolean;
  /** More envelop plugins, run after the gateway's own (e.g. tracing). Default none. */
  plugins?: Plugin[];
}

/** A built gateway: everything wired, nothing listening yet. */
export interface App {
  readonly config: GatewayConfig;
  /** The node:http server (health routes, then yoga); `server.listen(port, host)` serves it. */
  readonly server: GatewayHttpServer;
  /** The yoga instance, for in-process requests (`yoga.fetch`). */
  readonly yoga: GatewayYoga;
  /** The one HTTP client of the authentik origin (pool, retries, breaker). */
  readonly http: UpstreamHttp;
  readonly authentik: AuthentikClient;
  readonly logger: Logger;
  /** Undefined when METRICS=false. */
  readonly metrics: GatewayMetrics | undefined;
  /** The built-in fake authentik, in demo mode (no AUTHENTIK_URL). */
  readonly demo: Demo | undefined;
  /** The trusted documents (TRUSTED_DOCUMENTS); undefined when every document may run. */
  readonly trustedDocuments: TrustedDocumentStore | undefined;
  /**
   * Re-reads TRUSTED_DOCUMENTS (main.ts calls it on SIGHUP) and logs the outcome; a file that
   * fails keeps the previous list. Resolves false then, and when nothing is configured.
   */
  reloadTrustedDocuments(): Promise<boolean>;
  /** Releases what the server used: the upstream pool and the demo upstream. */
  release(): Promise<void>;
  /** Stops serving (requests in flight get up to `graceMs`), then releases; true when drained. */
  close(graceMs?: number): Promise<boolean>;
}

/**
 * The composition root: builds the upstream client, metrics, yoga and the HTTP server from the
 * configuration (starting the demo upstream when there is no AUTHENTIK_URL). It never listens:
 * `src/main.ts`, the tests and the bench call it and serve the result.
 */
export async function createApp(config: GatewayConfig, options: AppOptions = {}): Promise<App> {
  const trustedDocuments = config.trustedDocuments
    ? await loadTrustedDocuments(config.trustedDocuments)
    : undefined;
  const logger = createLogger(config.logLevel, options.logDestination);
  if (trustedDocuments) {
    logger.info(
      {
        file: trustedDocuments.file,
        documents: trustedDocuments.size,
        allowArbitraryDocuments: config.allowArbitraryDocuments,
      },
      'trusted documents loaded',
    );
  }
  const demo = config.authentikUrl ? undefined : await startDemo();
  // The gateway's own stalls, so that the breaker does not blame authentik for them.
  const eventLoop = watchEventLoop();
  const http = new UpstreamHttp(config.authentikUrl ?? demo!.fake.url, {
    timeoutMs: config.upstreamTimeoutMs,
    maxResponseBytes: config.upstreamMaxResponseBytes,
    retries: config.upstreamRetries,
    connections: config.upstreamConnections,
    ca: config.authentikCa,
    proxy: config.proxy,
    breaker:
      config.breakerFailureThreshold > 0
        ? { failureThreshold: config.breakerFailureThreshold, resetMs: config.breakerResetMs }
        : undefined,
    loopStalls: eventLoop,
  });
  const authentik = new AuthentikClient(http, { pageSizeReprobeMs: config.pageSizeReprobeMs });
  const metrics = config.metrics
    ? createGatewayMetrics({
        processMetrics: options.processMetrics !== false,
        circuitState: () => http.resilience.breaker?.state,
        eventLoop,
        trustedDocuments: trustedDocuments && (() => trustedDocuments.size),
      })
    : undefined;
  const yoga = createGateway({
    authentik,
    limits: {
      maxPageSize: config.maxPageSize,
      searchScanLimit: config.searchScanLimit,
      maxRevoke: config.maxRevoke,
      maxSearchLength: config.maxSearchLength,
      maxSearchTerms: config.maxSearchTerms,
    },
    graphiql: config.graphiql ? (demo?.graphiql ?? {}) : false,
    documentCacheBytes: config.documentCacheBytes,
    introspection: config.introspection,
    operationLimits: config.operationLimits,
    logger,
    metrics,
    // Every upstream call and every write reported the same way, to the audit log and /metrics.
    events: createRequestEvents({ logger, metrics }),
    corsOrigins: config.corsOrigins,
    plugins: options.plugins,
    trustedDocuments: trustedDocuments && {
      store: trustedDocuments,
      allowArbitrary: config.allowArbitraryDocuments,
      onDocument: metrics?.countDocument,
    },
  });
  const server = createHttpServer(yoga, {
    logger,
    requestTimeoutMs: config.requestTimeoutMs,
    sendTimeoutMs: config.sendTimeoutMs,
    isReady: cachedReadiness((signal) => authentik.isReady(signal), {
      cacheMs: config.readyCacheMs,
      timeoutMs: config.readyTimeoutMs,
    }),
    metrics,
  });
  const release = async () => {
    eventLoop.stop();
    await http.close();
    await demo?.fake.close();
  };
  return {
    config,
    server,
    yoga,
    http,
    authentik,
    logger,
    metrics,
    demo,
    trustedDocuments,
    reloadTrustedDocuments: async () => (await trustedDocuments?.reload(logger)) ?? false,
    release,
    async close(graceMs = config.shutdownGraceMs) {
      const drained = await server.close(graceMs);
      await release();
      return drained;
    },
  };
}

// Validated against the schema the gateway serves (built again here: only with TRUSTED_DOCUMENTS);
// a bad file stops the start like any bad configuration value.
async function loadTrustedDocuments(file: string): Promise<TrustedDocumentStore> {
  try {
    return await TrustedDocumentStore.load(file, buildSchema());
  } catch (error) {
    throw error instanceof TrustedDocumentsError ? new ConfigError(error.message) : error;
  }
}
