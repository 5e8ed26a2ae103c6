import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { gqlRequest, testEnv } from '../helpers/gateway.js';
import { FAKE_CA_FILE, startConnectProxy, startTlsFront } from './network.js';

const QUERY = '{ refreshTokens(first: 2) { totalCount } }';

// A gateway (createApp, as main.ts builds it) over `authentikUrl` with the given connection
// settings, queried in-process.
async function queryThrough(authentikUrl: string, env: Record<string, string>) {
  const app = await createApp(
    loadConfig(testEnv(authentikUrl, { UPSTREAM_TIMEOUT_MS: '3000', ...env })),
  );
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
    const result = await queryThrough(tls.url, { AUTHENTIK_CA_FILE: FAKE_CA_FILE });
    expect(result.errors).toBeUndefined();
    expect(result.data?.refreshTokens.totalCount).toBe(300);
  });

  it('refuses the self-signed certificate without it (UPSTREAM_ERROR)', async () => {
    const result = await queryThrough(tls.url, { UPSTREAM_RETRIES: '0' });
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['UPSTREAM_ERROR']);
  });

  it('tunnels through HTTPS_PROXY to an https authentik, verifying it with the CA file', async () => {
    proxy.tunnels.length = 0;
    const result = await queryThrough(tls.url, {
      AUTHENTIK_CA_FILE: FAKE_CA_FILE,
      HTTPS_PROXY: proxy.url,
    });
    expect(result.data?.refreshTokens.totalCount).toBe(300);
    expect(proxy.tunnels).toEqual([new URL(tls.url).host]);
  });

  it('uses HTTP_PROXY for an http authentik, and not when NO_PROXY names it', async () => {
    proxy.tunnels.length = 0;
    const viaProxy = await queryThrough(fake.url, { HTTP_PROXY: proxy.url });
    expect(viaProxy.data?.refreshTokens).toBeDefined();
    expect(proxy.tunnels).toEqual([new URL(fake.url).host]);

    proxy.tunnels.length = 0;
    const bypass = { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' };
    expect((await queryThrough(fake.url, bypass)).data?.refreshTokens).toBeDefined();
    expect(proxy.tunnels).toEqual([]);
  });
});
