import type { Logger } from '../logger.js';
import type { GatewayHttpServer } from './http-server.js';

export interface ShutdownOptions {
  /** How long requests in flight may take to finish once a signal arrived, in ms. */
  graceMs: number;
  /**
   * How long to keep serving after the signal before the listener closes, in ms, so that a load
   * balancer (Kubernetes' endpoints) stops sending new connections first. Default 0.
   */
  delayMs?: number;
  logger: Logger;
  /** Closes what the server used (upstream pool, demo upstream) after it drained. */
  release: () => Promise<void>;
  /** Exits the process; tests replace it. Default `process.exit`. */
  exit?: (code: number) => void;
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
}

/**
 * On the first SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (up to
 * `graceMs`), release the upstream pool, exit 0 (1 when requests had to be cut). A second signal
 * exits at once with 1. Returns the shutdown function for tests and programmatic use.
 */
export function shutdownOnSignals(
  server: GatewayHttpServer,
  options: ShutdownOptions,
): (reason: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    if (stopping) {
      options.logger.warn({ reason }, 'second shutdown signal: exiting now');
      exit(1);
      return stopping;
    }
    const delayMs = options.delayMs ?? 0;
    if (delayMs > 0) {
      options.logger.info(
        { reason, delayMs },
        'shutting down: still serving while the endpoint is removed',
      );
    }
    stopping = (async () => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      // Close the listener first: once this line is out, new connections are refused.
      const closing = server.close(options.graceMs);
      options.logger.info(
        { reason, inFlight: server.inFlight, graceMs: options.graceMs },
        'shutting down: no new connections, finishing requests in flight',
      );
      const drained = await closing;
      try {
        await options.release();
      } catch (error) {
        options.logger.warn({ err: { message: (error as Error).message } }, 'release failed');
      }
      options.logger.info(
        { drained },
        drained ? 'stopped' : 'stopped: grace period over, requests cut',
      );
      exit(drained ? 0 : 1);
    })();
    return stopping;
  };

  for (const signal of signals) process.on(signal, () => void shutdown(signal));
  return shutdown;
}
