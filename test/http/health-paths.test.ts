import { describe, expect, it } from 'vitest';
import { startGateway, useGateway } from '../helpers/gateway.js';

describe('the health routes are the gateway’s own, exactly', () => {
  const gateway = useGateway();

  it('GET and HEAD /healthz answer; no other path or method that merely ends with it does', async () => {
    const healthz = await fetch(`${gateway.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${gateway.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    for (const path of ['/x/healthz', '/graphql/healthz', '/health', '/healthz/']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
    const posted = await fetch(`${gateway.url}/healthz`, { method: 'POST', body: '' });
    expect(posted.status).not.toBe(200);
  });
});

describe('READY_TIMEOUT_MS', () => {
  // authentik's readiness answer takes 1.5 s: longer than one setting allows, shorter than the other.
  const SLOW_READY = {
    mode: 'slowHeaders',
    delayMs: 1500,
    pathPrefix: '/-/health/ready/',
  } as const;

  async function readyz(readyTimeoutMs: string) {
    const gateway = await startGateway({
      env: { READY_TIMEOUT_MS: readyTimeoutMs, READY_CACHE_MS: '0' },
    });
    try {
      gateway.fake.fault(SLOW_READY);
      const response = await fetch(`${gateway.url}/readyz`);
      return { status: response.status, body: (await response.json()) as unknown };
    } finally {
      await gateway.close();
    }
  }

  it('a probe of authentik slower than READY_TIMEOUT_MS makes /readyz say not ready', async () => {
    expect(await readyz('200')).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'authentik is not ready' },
    });
  });

  it('a slow probe within READY_TIMEOUT_MS is ready', async () => {
    expect(await readyz('10000')).toEqual({ status: 200, body: { status: 'ready' } });
  });
});
