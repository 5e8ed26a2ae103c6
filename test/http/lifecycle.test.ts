import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { gqlRequest, useGateway } from '../helpers/gateway.js';
import { leakingLines, secretsOf } from '../helpers/log-leaks.js';
import { spawnGateway, spawnTs } from '../helpers/processes.js';

const PAGE = '{ refreshTokens(first: 3) { nodes { pk } } }';
const nodeId = (typename: string, pk: number) =>
  Buffer.from(`${typename}:${pk}`).toString('base64url');
const NODES = `{ nodes(ids: ["${nodeId('RefreshToken', 1)}", "${nodeId('RefreshToken', 2)}", "${nodeId('User', 4)}"]) { id } }`;

describe('health, readiness, metrics and request ids on a listening server', () => {
  // Debug lines too: the last test checks that none of them carries a credential.
  const gateway = useGateway({ env: { READY_CACHE_MS: '300', LOG_LEVEL: 'debug' } });

  const get = (path: string) => fetch(`${gateway.url}${path}`);
  const readinessProbes = () => gateway.fake.countRequests('/-/health/ready/');

  it('GET /healthz answers 200 while the process runs, whatever authentik does', async () => {
    gateway.fake.setReady(false);
    try {
      const response = await get('/healthz');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    } finally {
      gateway.fake.setReady(true);
    }
  });

  it('GET /readyz follows authentik’s readiness, probing it at most once per READY_CACHE_MS', async () => {
    await new Promise((resolve) => setTimeout(resolve, 350));
    const probes = readinessProbes();
    const answers = await Promise.all([get('/readyz'), get('/readyz'), get('/readyz')]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await get('/readyz').then((r) => r.json())).toEqual({ status: 'ready' });
    expect(readinessProbes() - probes).toBe(1);

    gateway.fake.setReady(false);
    expect((await get('/readyz')).status).toBe(200); // still the cached answer
    await new Promise((resolve) => setTimeout(resolve, 350));
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not ready', reason: 'authentik is not ready' });
    gateway.fake.setReady(true);
  });

  it('keeps the caller’s X-Request-Id (or makes one), echoes it, forwards it, and logs it', async () => {
    gateway.fake.resetRequests();
    const sent = await fetch(
      `${gateway.url}/graphql`,
      gqlRequest(PAGE, undefined, { headers: { 'x-request-id': 'trace-42.a:b' } }),
    );
    expect(sent.headers.get('x-request-id')).toBe('trace-42.a:b');
    expect(gateway.fake.requests.at(-1)!.headers['x-request-id']).toBe('trace-42.a:b');
    const line = JSON.parse(gateway.logs.findLast((l) => l.includes('trace-42.a:b'))!) as Record<
      string,
      unknown
    >;
    expect(line).toMatchObject({
      level: 'info',
      service: 'authentik-graphql-gateway',
      msg: 'request',
      requestId: 'trace-42.a:b',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationType: 'query',
      upstreamCalls: 1,
    });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line.upstreamMs).toEqual(expect.any(Number));

    const unsafe = await fetch(
      `${gateway.url}/graphql`,
      gqlRequest(PAGE, undefined, { headers: { 'x-request-id': 'has spaces <and> "quotes"' } }),
    );
    const generated = unsafe.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(gateway.fake.requests.at(-1)!.headers['x-request-id']).toBe(generated);
  });

  it('GET /metrics serves operations, errors by code, upstream latency and requests in flight', async () => {
    await gateway.gql(PAGE);
    await gateway.gql(PAGE, undefined, { token: 'demo-expired-token' });
    await gateway.gql('{ refreshTokens(first: -1) { totalCount } }');
    const text = await (await get('/metrics')).text();
    expect(text).toMatch(/^gateway_graphql_operations_total\{operation_type="query"\} \d+$/m);
    expect(text).toMatch(
      /^gateway_http_request_duration_seconds_count\{method="POST",status="200"\} \d+$/m,
    );
    expect(text).toMatch(/^gateway_graphql_errors_total\{code="UNAUTHENTICATED"\} 1$/m);
    expect(text).toMatch(/^gateway_graphql_errors_total\{code="BAD_USER_INPUT"\} 1$/m);
    expect(text).toMatch(
      /^gateway_upstream_request_duration_seconds_count\{method="GET",endpoint="\/api\/v3\/oauth2\/refresh_tokens\/",outcome="ok"\} \d+$/m,
    );
    expect(text).toMatch(/^gateway_http_requests_in_flight 1$/m); // the scrape itself
    expect(text).not.toContain('operationName=');
  });

  it.each([
    ['page', PAGE],
    ['nodes', NODES],
  ])(
    'logs a client that hangs up mid-request (%s) as the client’s doing, not an internal error',
    async (_name, query) => {
      gateway.fake.setOptions({ latencyMs: 300 });
      const logged = gateway.logs.length;
      try {
        const leaving = new AbortController();
        const request = fetch(`${gateway.url}/graphql`, {
          ...gqlRequest(query, undefined, { headers: { 'x-request-id': `hangs-up-${_name}` } }),
          signal: leaving.signal,
        });
        while (gateway.fake.countRequests('/api/v3/') === 0 || gateway.app.server.inFlight === 0)
          await new Promise((resolve) => setTimeout(resolve, 10));
        leaving.abort();
        await request.catch(() => undefined);
        while (gateway.app.server.inFlight > 0)
          await new Promise((resolve) => setTimeout(resolve, 10));
        await new Promise((resolve) => setTimeout(resolve, 50));
        const lines = gateway.logs
          .slice(logged)
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        const line = lines.find((l) => l.msg === 'request' && l.requestId === `hangs-up-${_name}`);
        expect(line).toMatchObject({ level: 'info' });
        expect(new Set(line!.errorCodes as string[])).toEqual(new Set(['CLIENT_CLOSED_REQUEST']));
        expect(lines.filter((l) => l.level === 'error')).toEqual([]);
        const metrics = await fetch(`${gateway.url}/metrics`).then((r) => r.text());
        expect(metrics).not.toMatch(/code="INTERNAL_SERVER_ERROR"/);
        // The next caller is served as usual.
        const next = await fetch(`${gateway.url}/graphql`, gqlRequest(PAGE, undefined));
        expect(((await next.json()) as { errors?: unknown }).errors).toBeUndefined();
      } finally {
        gateway.fake.setOptions({ latencyMs: undefined });
      }
    },
  );

  it('finishes a request in flight when closed, then refuses new connections', async () => {
    gateway.fake.setOptions({ latencyMs: 400 });
    try {
      const slow = fetch(`${gateway.url}/graphql`, gqlRequest(PAGE, undefined));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(gateway.app.server.inFlight).toBe(1);
      const closed = gateway.app.server.close(5000);
      expect(gateway.app.server.draining).toBe(true);
      const response = await slow;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
      expect(await closed).toBe(true);
      await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
    } finally {
      gateway.fake.setOptions({ latencyMs: undefined });
    }
  });

  it('logged no credential', () => {
    expect(leakingLines(gateway.logs, secretsOf(gateway.fake))).toEqual([]);
  });
});

describe('the entry point (node src/main.ts)', () => {
  let fake: FakeAuthentik;
  beforeAll(async () => {
    fake = await startFakeAuthentik();
  });
  afterAll(() => fake.close());

  const start = () => spawnGateway(fake.url);

  const refused = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });

  it('drops no request in flight on SIGTERM under load, refuses new connections, exits 0', async () => {
    fake.setOptions({ latencyMs: 700 });
    const { child, port } = await start();
    try {
      fake.resetRequests();
      const users = [fake.tokens.admin, fake.tokens.users.jsmith!];
      // Distinct pages, so that no two requests share one upstream call.
      const inFlight = Array.from({ length: 40 }, (_, i) =>
        fetch(
          `http://127.0.0.1:${port}/graphql`,
          gqlRequest(
            'query ($n: Int!) { refreshTokens(first: $n) { nodes { pk } } }',
            { n: 1 + Math.floor(i / 2) },
            { token: users[i % 2]! },
          ),
        ).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as { errors?: unknown },
        })),
      );
      // Every request has reached authentik (and waits there) before the signal.
      while (fake.countRequests('/api/v3/') < 40)
        await new Promise((resolve) => setTimeout(resolve, 20));
      child.process.kill('SIGTERM');
      await child.waitForLine((l) => l.includes('shutting down'));
      expect(await refused(port)).toBe(true);

      const answers = await Promise.all(inFlight);
      expect(answers.filter((a) => a.status !== 200 || a.body.errors !== undefined)).toEqual([]);
      expect(await child.exited).toBe(0);

      const entries = child.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries.filter((e) => e.msg === 'request')).toHaveLength(40);
      expect(entries.at(-1)).toMatchObject({ msg: 'stopped', drained: true });
      expect(leakingLines(child.lines, secretsOf(fake))).toEqual([]);
    } finally {
      fake.setOptions({ latencyMs: undefined });
      await child.stop();
    }
  });

  it('exits 0 on SIGINT when idle', async () => {
    const { child } = await start();
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(0);
  });

  it('refuses to start on a bad setting, naming it', async () => {
    const child = spawnTs('src/main.ts', { AUTHENTIK_URL: fake.url, MAX_DEPTH: 'deep' });
    expect(await child.exited).toBe(2);
  });
});
