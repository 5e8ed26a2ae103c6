import { afterEach, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN, EXPIRED_TOKEN } from '../../src/fake-authentik/data.js';
import { codesOf, useGateway } from '../helpers/gateway.js';
import { connectionQuery } from '../helpers/connections.js';

// A timeout small enough for hang/stall tests to be quick, large enough for loopback answers.
const TIMEOUT_MS = 400;

const gw = useGateway({ env: { UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS) } });
afterEach(() => {
  gw.fake.clearFaults();
});

const QUERY = connectionQuery('totalCount nodes { pk provider { name } user { username } }');

// Everything a response must never contain: upstream bodies, URLs, credentials, stacks.
function expectNoLeak(body: string, extra: string[] = []): void {
  const forbidden = [
    gw.fake.url,
    new URL(gw.fake.url).host,
    '/api/v3',
    ADMIN_TOKEN,
    EXPIRED_TOKEN,
    'Bearer',
    '<html',
    '<!doctype',
    'Server Error',
    'stacktrace',
    '    at ',
    'node_modules',
    ...extra,
  ];
  for (const text of forbidden) expect(body.toLowerCase()).not.toContain(text.toLowerCase());
}

async function raw(
  token: string | null,
  headers: Record<string, string> = {},
  variables: Record<string, unknown> = { first: 5 },
) {
  const response = await gw.app.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify({ query: QUERY, variables }),
  });
  const text = await response.text();
  return {
    text,
    body: JSON.parse(text) as {
      data: unknown;
      errors?: { extensions?: Record<string, unknown>; message: string }[];
    },
  };
}

describe('authentication failures (authentik answers 403, never 401)', () => {
  it('no Authorization header: UNAUTHENTICATED at once, nothing is sent upstream', async () => {
    gw.fake.resetRequests();
    const { text, body } = await raw(null);
    expect(codesOf(body.errors)).toEqual(['UNAUTHENTICATED']);
    expect(body.data).toBeNull();
    expect(gw.upstreamCalls()).toHaveLength(0);
    expectNoLeak(text);
  });

  it.each([
    ['an expired token', EXPIRED_TOKEN],
    ['an unknown token', 'not-a-real-token-123'],
  ])('%s: UNAUTHENTICATED, the token forwarded verbatim but never echoed', async (_l, token) => {
    gw.fake.resetRequests();
    const { text, body } = await raw(token);
    expect(codesOf(body.errors)).toEqual(['UNAUTHENTICATED']);
    expect(gw.upstreamCalls()[0]!.authorization).toBe(`Bearer ${token}`);
    expectNoLeak(text, [token]);
  });

  it('a non-Bearer scheme is forwarded verbatim and rejected as not provided', async () => {
    gw.fake.resetRequests();
    const { body } = await raw(null, { authorization: 'Basic YWthZG1pbjpwYXNzd29yZA==' });
    expect(codesOf(body.errors)).toEqual(['UNAUTHENTICATED']);
    expect(gw.upstreamCalls()[0]!.authorization).toBe('Basic YWthZG1pbjpwYXNzd29yZA==');
  });
});

describe('each upstream failure has its code', () => {
  const SECRET = 'secret-internal-detail-42';
  it.each<[string, string, FaultSpec]>([
    [
      '403 permission denied',
      'FORBIDDEN',
      {
        mode: 'status',
        status: 403,
        body: JSON.stringify({ detail: 'You do not have permission to perform this action.' }),
      },
    ],
    [
      '403 with another detail',
      'FORBIDDEN',
      { mode: 'status', status: 403, body: JSON.stringify({ detail: SECRET }) },
    ],
    [
      '400 field map',
      'BAD_USER_INPUT',
      { mode: 'status', status: 400, body: JSON.stringify({ ordering: ['Bad ordering.'] }) },
    ],
    [
      '400 bare list',
      'BAD_USER_INPUT',
      { mode: 'status', status: 400, body: JSON.stringify(['Null characters are not allowed.']) },
    ],
    ['HTML 500 page', 'UPSTREAM_ERROR', { mode: 'html500' }],
    ['HTML 404 page', 'UPSTREAM_ERROR', { mode: 'html404' }],
    [
      '502 JSON',
      'UPSTREAM_ERROR',
      { mode: 'status', status: 502, body: JSON.stringify({ detail: SECRET }) },
    ],
    [
      '503 plain text',
      'UPSTREAM_ERROR',
      { mode: 'status', status: 503, body: `${SECRET} at line 1` },
    ],
    [
      '500 JSON traceback',
      'UPSTREAM_ERROR',
      { mode: 'status', status: 500, body: JSON.stringify({ traceback: SECRET }) },
    ],
    [
      '200 HTML body',
      'UPSTREAM_ERROR',
      { mode: 'status', status: 200, body: `<html>${SECRET}</html>` },
    ],
    [
      '200 JSON of the wrong shape',
      'UPSTREAM_ERROR',
      { mode: 'status', status: 200, body: JSON.stringify({ results: SECRET }) },
    ],
    ['malformed JSON', 'UPSTREAM_ERROR', { mode: 'malformedJson' }],
    ['connection reset', 'UPSTREAM_ERROR', { mode: 'reset' }],
    ['no answer at all', 'UPSTREAM_TIMEOUT', { mode: 'hang' }],
    [
      'headers later than the timeout',
      'UPSTREAM_TIMEOUT',
      { mode: 'slowHeaders', delayMs: TIMEOUT_MS * 3 },
    ],
    ['a body that stalls halfway', 'UPSTREAM_TIMEOUT', { mode: 'stallBody' }],
  ])('%s → %s, with nothing upstream in the answer', async (_label, code, fault) => {
    gw.fake.fault(fault);
    const { text, body } = await raw(ADMIN_TOKEN);
    expect(codesOf(body.errors)).toEqual([code]);
    expect(body.data).toBeNull();
    expect(body.errors![0]!.extensions?.stacktrace).toBeUndefined();
    expect(body.errors![0]!.extensions?.originalError).toBeUndefined();
    expectNoLeak(text, [SECRET, 'traceback']);
  });

  it('passes the 400 validation messages on in extensions.upstreamErrors', async () => {
    gw.fake.fault({
      mode: 'status',
      status: 400,
      body: JSON.stringify({ ordering: ['Bad ordering.'] }),
    });
    const { body } = await raw(ADMIN_TOKEN);
    expect(body.errors![0]!.extensions?.upstreamErrors).toEqual({ ordering: ['Bad ordering.'] });
  });

  it('recovers once authentik answers again', async () => {
    gw.fake.fault({ mode: 'html500', times: 1 });
    expect(codesOf((await raw(ADMIN_TOKEN)).body.errors)).toEqual(['UPSTREAM_ERROR']);
    const { body } = await raw(ADMIN_TOKEN);
    expect(body.errors).toBeUndefined();
    expect((body.data as { refreshTokens: { totalCount: number } }).refreshTokens.totalCount).toBe(
      300,
    );
  });

  it('a scan whose later pages fail fails as a whole, never with a partial page', async () => {
    // FIFO faults: the first list call is answered normally (no delay), every later one fails.
    gw.fake.fault({ mode: 'slowHeaders', delayMs: 0, times: 1 });
    gw.fake.fault({ mode: 'html500' });
    gw.fake.resetRequests();
    const { text, body } = await raw(ADMIN_TOKEN, {}, { first: 5, search: '"old wiki"' });
    expect(codesOf(body.errors)).toEqual(['UPSTREAM_ERROR']);
    expect(body.data).toBeNull();
    expect(gw.upstreamCalls().length).toBeGreaterThan(1);
    expectNoLeak(text);
  });
});
