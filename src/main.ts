import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { demoBanner } from './demo.js';
import { shutdownOnSignals } from './http/shutdown.js';

/** Entry point: reads the configuration, builds the gateway, listens, and stops on signals. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Loaded only when configured: without OTEL_* no OpenTelemetry code runs. Started before the
  // app is built, so that the HTTP server it creates is instrumented.
  const tracing = config.tracing
    ? (await import('./observability/tracing.js')).startTracing()
    : undefined;
  const app = await createApp(config, { plugins: tracing ? [tracing.plugin] : undefined });
  const { logger } = app;
  // The last line of defence: a rejection nothing handled is a bug, but it must not take the
  // gateway down for every caller. It is logged (message and stack only) and serving goes on.
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? { message: reason.message, stack: reason.stack } : {};
    logger.error({ err }, 'unhandled rejection (a bug): the gateway keeps serving');
  });
  // SIGHUP re-reads TRUSTED_DOCUMENTS (without it, SIGHUP keeps Node's default: the process ends).
  if (app.trustedDocuments) process.on('SIGHUP', () => void app.reloadTrustedDocuments());
  shutdownOnSignals(app.server, {
    graceMs: config.shutdownGraceMs,
    delayMs: config.shutdownDelayMs,
    logger,
    release: async () => {
      await app.release();
      await tracing?.shutdown();
    },
  });
  const address = await app.server.listen(config.port, config.host);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${address.port}/graphql`;
  if (app.demo) console.log(demoBanner(app.demo, url));
  logger.info(
    {
      url,
      port: address.port,
      upstream: `${app.http.origin}${app.http.basePath}`,
      demo: app.demo !== undefined,
      tracing: tracing !== undefined,
    },
    'authentik GraphQL gateway listening',
  );
}

try {
  await main();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  console.error(`could not start: ${code ?? ''} ${(error as Error).message}`.trim());
  process.exit(1);
}
