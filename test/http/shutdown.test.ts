import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { shutdownOnSignals } from '../../src/http/shutdown.js';
import { gqlRequest, startGateway } from '../helpers/gateway.js';

describe('SHUTDOWN_DELAY_MS', () => {
  it('keeps serving between the signal and closing the listener, then drains and exits 0', async () => {
    const gateway = await startGateway();
    const { server } = gateway.app;
    let exited: (code: number) => void = () => {};
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    const shutdown = shutdownOnSignals(server, {
      graceMs: 5000,
      delayMs: 1500,
      logger: createLogger('silent'),
      release: () => gateway.app.release(),
      exit: (code) => exited(code),
      signals: [],
    });

    const stopping = shutdown('SIGTERM');
    const during = await fetch(
      `${gateway.url}/graphql`,
      gqlRequest('{ refreshTokens(first: 2) { totalCount } }', {}),
    );
    expect(during.status).toBe(200);
    expect(server.draining).toBe(false);
    await stopping;
    expect(await exitCode).toBe(0);
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
    await gateway.fake.close();
  });
});
