import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { FakeAuthentik } from '../../src/fake-authentik/index.js';
import { startFakeAuthentik } from '../../src/fake-authentik/index.js';

// A gateway built as main.ts builds it, from the environment an operator would set.
async function listen(env: Record<string, string>): Promise<{ app: App; url: string }> {
  const app = await createApp(loadConfig({ LOG_LEVEL: 'silent', ...env }));
  const { port } = await app.server.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${port}` };
}

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik();
});
afterAll(() => fake.close());

describe('the health routes are the gateway’s own, exactly', () => {
  let gateway: { app: App; url: string };
  beforeAll(async () => {
    gateway = await listen({ AUTHENTIK_URL: fake.url });
  });
  afterAll(() => gateway.app.close(1000));

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
  const SLOW_READY_MS = 1500;

  it('a probe of authentik slower than READY_TIMEOUT_MS makes /readyz say not ready', async () => {
    fake.fault({ mode: 'slowHeaders', delayMs: SLOW_READY_MS, pathPrefix: '/-/health/ready/' });
    const { app, url } = await listen({
      AUTHENTIK_URL: fake.url,
      READY_TIMEOUT_MS: '200',
      READY_CACHE_MS: '0',
    });
    try {
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 'not ready',
        reason: 'authentik is not ready',
      });
    } finally {
      fake.clearFaults();
      await app.close(1000);
    }
  });

  it('a slow probe within READY_TIMEOUT_MS is ready', async () => {
    fake.fault({ mode: 'slowHeaders', delayMs: SLOW_READY_MS, pathPrefix: '/-/health/ready/' });
    const { app, url } = await listen({
      AUTHENTIK_URL: fake.url,
      READY_TIMEOUT_MS: '10000',
      READY_CACHE_MS: '0',
    });
    try {
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ready' });
    } finally {
      fake.clearFaults();
      await app.close(1000);
    }
  });
});
