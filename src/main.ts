import { ConfigError, loadConfig } from './config.js';
import type { GatewayConfig } from './config.js';
import { startDemo } from './demo.js';
import type { Demo } from './demo.js';
import { createGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { createGatewayMetrics } from './plugins/metrics.js';
import { createFastPath } from './server/fast-path.js';
import { createHttpServer } from './server/http-server.js';
import { cachedReadiness } from './server/readiness.js';
import { shutdownOnSignals } from './server/shutdown.js';
import { AuthentikClient } from './upstream/authentik.js';
import { UpstreamHttp } from './upstream/http.js';

/** Entry point: reads the configuration, starts the demo upstream if needed, and listens. */
async function main(config: GatewayConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const displayHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const publicUrl = (port: number) => `http://${displayHost}:${port}/graphql`;
  let demo: Demo | undefined;
  if (!config.authentikUrl) demo = await startDemo(publicUrl(config.port));
  const http = new UpstreamHttp(config.authentikUrl ?? demo!.fake.url, {
    timeoutMs: config.upstreamTimeoutMs,
    maxResponseBytes: config.upstreamMaxResponseBytes,
    retries: config.upstreamRetries,
    breaker:
      config.breakerFailureThreshold > 0
        ? { failureThreshold: config.breakerFailureThreshold, resetMs: config.breakerResetMs }
        : undefined,
  });
  const authentik = new AuthentikClient(http);
  const metrics = config.metrics
    ? createGatewayMetrics({ circuitState: () => http.resilience.breaker?.state })
    : undefined;
  const yoga = createGateway({
    authentik,
    limits: {
      maxPageSize: config.maxPageSize,
      searchScanLimit: config.searchScanLimit,
      maxRevoke: config.maxRevoke,
    },
    graphiql: config.graphiql ? (demo?.graphiql ?? {}) : false,
    introspection: config.introspection,
    operationLimits: config.operationLimits,
    logger,
    metrics,
  });
  // The last line of defence: a rejection nothing handled is a bug, but it must not take the
  // gateway down for every caller. It is logged (message and stack only) and serving goes on.
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? { message: reason.message, stack: reason.stack } : {};
    logger.error({ err }, 'unhandled rejection (a bug): the gateway keeps serving');
  });
  const server = createHttpServer(yoga, {
    requestTimeoutMs: config.requestTimeoutMs,
    isReady: cachedReadiness((signal) => authentik.isReady(signal), {
      cacheMs: config.readyCacheMs,
    }),
    metrics,
    fastPath: createFastPath(yoga, {
      maxBodyBytes: config.operationLimits.maxBodyBytes,
      logger,
      metrics,
    }),
  });
  shutdownOnSignals(server, {
    graceMs: config.shutdownGraceMs,
    logger,
    release: async () => {
      await http.close();
      await demo?.fake.close();
    },
  });
  const address = await server.listen(config.port, config.host);
  if (demo) console.log(demo.banner);
  logger.info(
    {
      url: publicUrl(address.port),
      port: address.port,
      upstream: `${http.origin}${http.basePath}`,
      demo: demo !== undefined,
    },
    'authentik GraphQL gateway listening',
  );
}

try {
  await main(loadConfig());
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  console.error(`could not start: ${code ?? ''} ${(error as Error).message}`.trim());
  process.exit(1);
}
