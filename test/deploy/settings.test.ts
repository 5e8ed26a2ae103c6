import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { FakeAuthentik } from '../../src/fake-authentik/index.js';
import { startFakeAuthentik } from '../../src/fake-authentik/index.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { shutdownOnSignals } from '../../src/server/shutdown.js';
import { gqlRequest, startApp, testConfig } from '../helpers/gateway.js';
import { FAKE_CA_FILE, startConnectProxy, startTlsFront } from './network.js';

const QUERY = '{ refreshTokens(first: 2) { totalCount } }';

// A gateway (createApp, as main.ts builds it) over `authentikUrl` with the given connection
// settings, queried in-process.
async function queryThrough(authentikUrl: string, settings: Partial<GatewayConfig>) {
  const app = await createApp(testConfig(authentikUrl, { upstreamTimeoutMs: 3000, ...settings }));
  try {
    const response = await app.yoga.fetch('http://gateway.test/graphql', gqlRequest(QUERY, {}));
    return (await response.json()) as {
      data?: { refreshTokens: { totalCount: number } } | null;
      errors?: { extensions?: { code?: string } }[];
    };
  } finally {
    await app.release();
  }
}

describe('deployment settings in loadConfig', () => {
  it('defaults: no CORS, no extra CA, no proxy, 64 connections, no shutdown delay, no tracing', () => {
    expect(loadConfig({})).toMatchObject({
      corsOrigins: undefined,
      authentikCa: undefined,
      proxy: { httpProxy: undefined, httpsProxy: undefined, noProxy: undefined },
      upstreamConnections: 64,
      shutdownDelayMs: 0,
      tracing: false,
    } satisfies Partial<GatewayConfig>);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      AUTHENTIK_CA_FILE: FAKE_CA_FILE,
      https_proxy: 'http://proxy.internal:3128',
      NO_PROXY: 'authentik,.svc.cluster.local',
      UPSTREAM_CONNECTIONS: '16',
      SHUTDOWN_DELAY_MS: '5000',
    });
    expect(config).toMatchObject({
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      proxy: {
        httpProxy: undefined,
        httpsProxy: 'http://proxy.internal:3128',
        noProxy: 'authentik,.svc.cluster.local',
      },
      upstreamConnections: 16,
      shutdownDelayMs: 5000,
    });
    expect(config.authentikCa).toContain('-----BEGIN CERTIFICATE-----');
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_SERVICE_NAME: 'tokens' }, false],
  ])('tracing with %j: %s', (env, on) => {
    expect(loadConfig(env).tracing).toBe(on);
  });

  it.each([
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['AUTHENTIK_CA_FILE', '/nonexistent/ca.pem'],
    ['AUTHENTIK_CA_FILE', new URL('../../package.json', import.meta.url).pathname],
    ['UPSTREAM_CONNECTIONS', '0'],
    ['SHUTDOWN_DELAY_MS', '-1'],
  ])('%s=%j is refused with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe('CORS_ORIGINS', () => {
  const preflight = async (origins: string[] | '*' | undefined, origin: string) => {
    const app = await createApp(testConfig('http://127.0.0.1:9', { corsOrigins: origins }));
    try {
      return await app.yoga.fetch('http://gateway.test/graphql', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    } finally {
      await app.release();
    }
  };

  it.each([
    [undefined, 'https://app.example.com', null],
    [['https://app.example.com'], 'https://app.example.com', 'https://app.example.com'],
    [
      ['https://app.example.com', 'https://b.example.com'],
      'https://b.example.com',
      'https://b.example.com',
    ],
    [['https://app.example.com'], 'https://evil.example.com', null],
    ['*' as const, 'https://any.example.com', 'https://any.example.com'],
  ])('origins %j: a preflight from %s is allowed for %s', async (origins, origin, allowed) => {
    const response = await preflight(origins, origin);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    if (allowed) {
      expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(response.headers.get('access-control-expose-headers')).toBe('x-request-id');
    }
  });
});

describe('authentik over TLS with its own CA (AUTHENTIK_CA_FILE), and through a proxy', () => {
  let fake: FakeAuthentik;
  let tls: Awaited<ReturnType<typeof startTlsFront>>;
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
  beforeAll(async () => {
    fake = await startFakeAuthentik({ host: '127.0.0.1', port: 0 });
    tls = await startTlsFront(fake.url);
    proxy = await startConnectProxy();
  });
  afterAll(async () => {
    await proxy.close();
    await tls.close();
    await fake.close();
  });

  it('answers when the CA file is given', async () => {
    const { authentikCa } = loadConfig({ AUTHENTIK_CA_FILE: FAKE_CA_FILE });
    const result = await queryThrough(tls.url, { authentikCa });
    expect(result.errors).toBeUndefined();
    expect(result.data?.refreshTokens.totalCount).toBe(300);
  });

  it('refuses the self-signed certificate without it (UPSTREAM_ERROR)', async () => {
    const result = await queryThrough(tls.url, { upstreamRetries: 0 });
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['UPSTREAM_ERROR']);
  });

  it('tunnels through HTTPS_PROXY to an https authentik, verifying it with the CA file', async () => {
    proxy.tunnels.length = 0;
    const { authentikCa, proxy: settings } = loadConfig({
      AUTHENTIK_CA_FILE: FAKE_CA_FILE,
      HTTPS_PROXY: proxy.url,
    });
    const result = await queryThrough(tls.url, { authentikCa, proxy: settings });
    expect(result.data?.refreshTokens.totalCount).toBe(300);
    expect(proxy.tunnels).toEqual([new URL(tls.url).host]);
  });

  it('uses HTTP_PROXY for an http authentik, and not when NO_PROXY names it', async () => {
    proxy.tunnels.length = 0;
    const viaProxy = loadConfig({ HTTP_PROXY: proxy.url }).proxy;
    expect((await queryThrough(fake.url, { proxy: viaProxy })).data?.refreshTokens).toBeDefined();
    expect(proxy.tunnels).toEqual([new URL(fake.url).host]);

    proxy.tunnels.length = 0;
    const bypass = loadConfig({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }).proxy;
    expect((await queryThrough(fake.url, { proxy: bypass })).data?.refreshTokens).toBeDefined();
    expect(proxy.tunnels).toEqual([]);
  });
});

describe('SHUTDOWN_DELAY_MS', () => {
  it('keeps serving between the signal and closing the listener, then drains and exits 0', async () => {
    const fake = await startFakeAuthentik({ host: '127.0.0.1', port: 0 });
    const { app, origin } = await startApp(testConfig(fake.url));
    const { server } = app;
    const port = new URL(origin).port;
    let exited: (code: number) => void = () => {};
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    const shutdown = shutdownOnSignals(server, {
      graceMs: 5000,
      delayMs: 1500,
      logger: createLogger('silent'),
      release: () => app.release(),
      exit: (code) => exited(code),
      signals: [],
    });

    const stopping = shutdown('SIGTERM');
    const during = await fetch(`http://127.0.0.1:${port}/graphql`, gqlRequest(QUERY, {}));
    expect(during.status).toBe(200);
    expect(server.draining).toBe(false);
    await stopping;
    expect(await exitCode).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await fake.close();
  });
});
