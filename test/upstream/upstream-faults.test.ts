import { afterEach, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../src/fake-authentik/types.js';
import { CircuitBreaker } from '../../src/upstream/resilience.js';
import { codesOf, startGateway, useGateway } from '../helpers/gateway.js';
import { leakingLines, secretsOf } from '../helpers/log-leaks.js';

const TIMEOUT_MS = 500;
// Connection set-up, two jittered backoffs (at most 200 ms each) and a loaded CI machine.
const MARGIN_MS = 1000;
const PAGE = '{ refreshTokens(first: 2) { nodes { pk } } }';
const NO_PERMISSION = '{"detail":"You do not have permission to perform this action."}';
const BAD_TOKEN = '{"detail":"Token invalid/expired"}';

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

describe('each upstream fault yields its documented code in time, and the next request works', () => {
  // Debug lines too: the last test checks that none of them carries a credential.
  const gateway = useGateway({
    env: { UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), UPSTREAM_RETRIES: '2', LOG_LEVEL: 'debug' },
  });
  afterEach(() => gateway.fake.clearFaults());

  it.each<[string, string, number, FaultSpec]>([
    ['HTML 500 page', 'UPSTREAM_ERROR', 1, { mode: 'html500' }],
    ['HTML 404 page', 'UPSTREAM_ERROR', 1, { mode: 'html404' }],
    ['503 (retried twice)', 'UPSTREAM_ERROR', 3, { mode: 'status', status: 503 }],
    ['502 (retried twice)', 'UPSTREAM_ERROR', 3, { mode: 'status', status: 502 }],
    ['connection reset (retried twice)', 'UPSTREAM_ERROR', 3, { mode: 'reset' }],
    ['no answer at all (not retried)', 'UPSTREAM_TIMEOUT', 1, { mode: 'hang' }],
    [
      'headers later than the timeout',
      'UPSTREAM_TIMEOUT',
      1,
      { mode: 'slowHeaders', delayMs: 5000 },
    ],
    ['body that stalls mid-way', 'UPSTREAM_TIMEOUT', 1, { mode: 'stallBody' }],
    ['malformed JSON', 'UPSTREAM_ERROR', 1, { mode: 'malformedJson' }],
    ['403 permission denied', 'FORBIDDEN', 1, { mode: 'status', status: 403, body: NO_PERMISSION }],
    ['403 invalid token', 'UNAUTHENTICATED', 1, { mode: 'status', status: 403, body: BAD_TOKEN }],
  ])('%s -> %s after %i attempt(s)', async (_name, code, attempts, fault) => {
    gateway.fake.resetRequests();
    gateway.fake.fault(fault);
    const { result, ms } = await timed(() => gateway.gql(PAGE));
    expect(codesOf(result)).toEqual([code]);
    expect(result.errors![0]!.message).not.toMatch(/unexpected error/i);
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(gateway.apiCalls()).toBe(attempts);

    gateway.fake.clearFaults();
    const next = await gateway.gql(PAGE);
    expect(next.errors).toBeUndefined();
    expect(next.data).toMatchObject({ refreshTokens: { nodes: [{ pk: expect.any(Number) }, {}] } });
  });

  it.each<[string, FaultSpec, number]>([
    ['one reset', { mode: 'reset', times: 1 }, 2],
    ['two 503s', { mode: 'status', status: 503, times: 2 }, 3],
    ['one 504', { mode: 'status', status: 504, times: 1 }, 2],
  ])('a GET that fails with %s succeeds on retry', async (_name, fault, attempts) => {
    gateway.fake.resetRequests();
    gateway.fake.fault(fault);
    const result = await gateway.gql(PAGE);
    expect(result.errors).toBeUndefined();
    expect(gateway.apiCalls()).toBe(attempts);
  });

  it('never retries a DELETE', async () => {
    gateway.fake.resetRequests();
    gateway.fake.fault({ mode: 'reset', pathPrefix: '/api/v3/oauth2/refresh_tokens/1041/' });
    const id = Buffer.from('RefreshToken:1041').toString('base64url');
    const result = await gateway.gql(
      'mutation ($id: ID!) { deleteRefreshToken(input: { id: $id }) { deletedId } }',
      { id },
    );
    expect(codesOf(result)).toEqual(['UPSTREAM_ERROR']);
    const deletes = gateway.fake.requests.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
  });

  it('stops retrying when the caller goes away', async () => {
    gateway.fake.resetRequests();
    gateway.fake.fault({ mode: 'status', status: 503 });
    gateway.fake.setOptions({ latencyMs: 100 });
    try {
      const controller = new AbortController();
      const pending = gateway.app.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin-token' },
        body: JSON.stringify({ query: PAGE }),
        signal: controller.signal,
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      await Promise.resolve(pending).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(gateway.apiCalls()).toBe(1);
    } finally {
      gateway.fake.setOptions({ latencyMs: undefined });
    }
  });

  it('caps the upstream answer size (UPSTREAM_MAX_RESPONSE_BYTES)', async () => {
    const small = await startGateway({ env: { UPSTREAM_MAX_RESPONSE_BYTES: '2048' } });
    try {
      const result = await small.gql('{ refreshTokens(first: 50) { nodes { pk } } }');
      expect(codesOf(result)).toEqual(['UPSTREAM_ERROR']);
      expect(result.errors![0]!.message).toContain('2048');
    } finally {
      await small.close();
    }
  });

  it('wrote no credential to the log', () => {
    expect(gateway.logs.length).toBeGreaterThan(10);
    expect(leakingLines(gateway.logs, secretsOf(gateway.fake))).toEqual([]);
  });
});

describe('circuit breaker', () => {
  const RESET_MS = 300;
  const gateway = useGateway({
    env: {
      UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      UPSTREAM_RETRIES: '0',
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_RESET_MS: String(RESET_MS),
    },
  });
  afterEach(() => gateway.fake.clearFaults());

  const waitForReset = () => new Promise((resolve) => setTimeout(resolve, RESET_MS + 50));

  it('is not opened by 4xx answers: a bad token is not authentik being down', async () => {
    gateway.fake.resetRequests();
    for (let i = 0; i < 6; i++) {
      expect(codesOf(await gateway.gql(PAGE, undefined, { token: 'demo-expired-token' }))).toEqual([
        'UNAUTHENTICATED',
      ]);
    }
    expect(gateway.apiCalls()).toBe(6);
    expect(gateway.app.http.resilience.breaker!.state).toBe('closed');
  });

  it('opens after consecutive timeouts and then fails fast with UPSTREAM_UNAVAILABLE', async () => {
    gateway.fake.fault({ mode: 'hang' });
    for (let i = 0; i < 3; i++) {
      expect(codesOf(await gateway.gql(PAGE))).toEqual(['UPSTREAM_TIMEOUT']);
    }
    gateway.fake.resetRequests();
    const { result, ms } = await timed(() => gateway.gql(PAGE));
    expect(codesOf(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(gateway.apiCalls()).toBe(0);
    expect(ms).toBeLessThan(TIMEOUT_MS / 2);
    const metrics = await (await gateway.app.yoga.fetch('http://gateway.test/metrics')).text();
    expect(metrics).toMatch(/^gateway_upstream_circuit_open 1$/m);
  });

  it('lets one probe through after BREAKER_RESET_MS; a failed probe reopens it', async () => {
    gateway.fake.fault({ mode: 'html500' });
    await waitForReset();
    gateway.fake.resetRequests();
    expect(codesOf(await gateway.gql(PAGE))).toEqual(['UPSTREAM_ERROR']);
    expect(codesOf(await gateway.gql(PAGE))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(gateway.apiCalls()).toBe(1);
  });

  it('closes when the probe succeeds', async () => {
    gateway.fake.clearFaults();
    await waitForReset();
    const other = '{ refreshTokens(first: 4) { nodes { pk } } }';
    const results = await Promise.all([gateway.gql(PAGE), gateway.gql(other)]);
    // One is the probe; the other (another page: it cannot share the probe's call) arrived while
    // it was in flight and was refused.
    expect(results.map((r) => codesOf(r)[0] ?? 'ok').sort()).toEqual([
      'UPSTREAM_UNAVAILABLE',
      'ok',
    ]);
    for (let i = 0; i < 3; i++) expect((await gateway.gql(PAGE)).errors).toBeUndefined();
    expect(gateway.app.http.resilience.breaker!.state).toBe('closed');
  });
});

describe('CircuitBreaker', () => {
  function breaker() {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 2, resetMs: 1000 }, () => now);
    return { b, advance: (ms: number) => (now += ms) };
  }

  it('counts only consecutive failures', () => {
    const { b } = breaker();
    b.record('failure', b.admit());
    b.record('success', b.admit());
    b.record('failure', b.admit());
    expect(b.state).toBe('closed');
    b.record('failure', b.admit());
    expect(b.state).toBe('open');
    expect(() => b.admit()).toThrow(/unavailable/);
  });

  it('ignores calls whose caller went away, and frees the probe slot', () => {
    const { b, advance } = breaker();
    b.record('failure', b.admit());
    b.record('failure', b.admit());
    advance(1000);
    expect(b.admit()).toBe(true);
    expect(() => b.admit()).toThrow();
    b.record('neutral', true);
    expect(b.admit()).toBe(true);
    b.record('success', true);
    expect(b.state).toBe('closed');
    expect(b.admit()).toBe(false);
  });
});
