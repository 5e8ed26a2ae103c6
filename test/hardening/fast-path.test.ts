import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSMITH, globalId } from '../loaders/support.js';
import { createFastPath } from '../../src/server/fast-path.js';
import { answerTypeFor } from '../../src/server/fast-path.js';
import { createHttpServer } from '../../src/server/http-server.js';
import type { GatewayHttpServer } from '../../src/server/http-server.js';
import type { HardenedGateway } from './helpers.js';
import { startHardenedGateway } from './helpers.js';

// The server's fast path must answer exactly as yoga does. Each request below is sent to a
// listening server (fast path first) and to yoga in-process; status, content type and body must
// agree, and the fast path must have taken the plain ones and left the rest to yoga.
let gateway: HardenedGateway;
let server: GatewayHttpServer;
let url: string;
const taken: boolean[] = [];
beforeAll(async () => {
  gateway = await startHardenedGateway({ operationLimits: { maxCost: 40 } });
  const fastPath = createFastPath(gateway.yoga, { maxBodyBytes: 100_000, logger: undefined });
  server = createHttpServer(gateway.yoga, {
    isReady: async () => true,
    fastPath: (req: IncomingMessage, res: ServerResponse) => {
      const served = fastPath(req, res);
      taken.push(served);
      return served;
    },
  });
  const address = await server.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${address.port}/graphql`;
});
afterAll(async () => {
  await server.close(1000);
  await gateway.close();
});

const ADMIN = `Bearer ${'demo-admin-token'}`;
const json = { 'content-type': 'application/json' };

interface Case {
  name: string;
  body: unknown;
  headers?: Record<string, string>;
  fast: boolean;
}

const CASES: Case[] = [
  {
    name: 'a page',
    body: {
      query: '{ refreshTokens(first: 3) { edges { cursor node { pk user { username } } } } }',
    },
    fast: true,
  },
  {
    name: 'variables and an operation name',
    body: {
      query:
        'query A($n: Int!) { refreshTokens(first: $n) { nodes { pk } } } query B { __typename }',
      variables: { n: 2 },
      operationName: 'A',
    },
    fast: true,
  },
  {
    name: 'a variable of the wrong type',
    body: {
      query: 'query ($n: Int!) { refreshTokens(first: $n) { nodes { pk } } }',
      variables: { n: 'x' },
    },
    fast: true,
  },
  {
    name: 'a bad argument (BAD_USER_INPUT)',
    body: { query: '{ refreshTokens(first: -1) { totalCount } }' },
    fast: true,
  },
  {
    name: 'a lookup authentik answers 404 for',
    body: {
      query: `{ node(id: "${globalId('RefreshToken', 999_999)}") { id } refreshToken(pk: 999999) { pk } }`,
    },
    fast: true,
  },
  {
    name: 'an ordinary user reading a user (FORBIDDEN at the field)',
    body: { query: '{ refreshTokens(first: 2) { nodes { pk } } } ' },
    headers: { authorization: `Bearer ${JSMITH}` },
    fast: true,
  },
  {
    name: 'no credentials (UNAUTHENTICATED)',
    body: { query: '{ refreshTokens(first: 2) { nodes { pk } } }' },
    headers: { authorization: '' },
    fast: true,
  },
  {
    name: 'too costly (LIMIT_EXCEEDED)',
    body: {
      query:
        '{ a: refreshTokens(first: 100) { nodes { pk } } b: refreshTokens(first: 99) { nodes { pk } } }',
    },
    fast: true,
  },
  {
    name: 'graphql-response+json with an error',
    body: { query: '{ refreshTokens(first: -1) { totalCount } }' },
    headers: { accept: 'application/graphql-response+json' },
    fast: true,
  },
  {
    name: 'Apollo Client’s Accept',
    body: { query: '{ refreshTokens(first: 1) { nodes { pk } } }' },
    headers: { accept: 'application/graphql-response+json,application/json;q=0.9' },
    fast: true,
  },
  { name: 'a syntax error', body: { query: '{ refreshTokens(' }, fast: true },
  { name: 'a validation error', body: { query: '{ nope }' }, fast: true },
  {
    name: 'a mutation',
    body: {
      query: `mutation { deleteRefreshToken(input: { id: "${globalId('RefreshToken', 999_999)}" }) { deletedId } }`,
    },
    fast: true,
  },
  { name: 'an unknown parameter', body: { query: '{ __typename }', extra: 1 }, fast: true },
  { name: 'a batch', body: [{ query: '{ __typename }' }], fast: true },
  { name: 'malformed JSON', body: '{"query": ', fast: true },
  {
    name: 'a cross-origin request',
    body: { query: '{ __typename }' },
    headers: { origin: 'https://elsewhere.example' },
    fast: false,
  },
  {
    name: 'an Accept yoga answers with an event stream',
    body: { query: '{ __typename }' },
    headers: { accept: 'text/event-stream' },
    fast: false,
  },
  {
    name: 'a text/plain body',
    body: { query: '{ __typename }' },
    headers: { 'content-type': 'text/plain' },
    fast: false,
  },
];

function init(testCase: Case): RequestInit {
  const headers: Record<string, string> = { ...json, authorization: ADMIN, ...testCase.headers };
  if (headers.authorization === '') delete headers.authorization;
  return {
    method: 'POST',
    headers,
    body: typeof testCase.body === 'string' ? testCase.body : JSON.stringify(testCase.body),
  };
}

async function answer(response: Response) {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // compared as text
  }
  return { status: response.status, type: response.headers.get('content-type'), body };
}

describe('the fast path answers as yoga does', () => {
  it.each(CASES)('$name', async (testCase) => {
    const before = taken.length;
    const overHttp = await answer(await fetch(url, init(testCase)));
    const inProcess = await answer(
      await gateway.yoga.fetch('http://gateway.test/graphql', init(testCase)),
    );
    expect(overHttp).toEqual(inProcess);
    expect(taken.slice(before)).toEqual([testCase.fast]);
  });

  it('keeps serving when a caller goes away mid-request', async () => {
    gateway.fake.setOptions({ latencyMs: 200 });
    try {
      const leaving = new AbortController();
      const left = fetch(url, { ...init(CASES[0]!), signal: leaving.signal }).catch(
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      leaving.abort();
      expect(await left).toBeInstanceOf(Error);
      // Its upstream call was cancelled, not left to finish.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await gateway.metrics.registry.metrics()).toMatch(
        /^gateway_upstream_request_duration_seconds_count\{method="GET",endpoint="\/api\/v3\/oauth2\/refresh_tokens\/",outcome="aborted"\} 1$/m,
      );
      const after = await answer(await fetch(url, init(CASES[0]!)));
      expect(after.status).toBe(200);
    } finally {
      gateway.fake.setOptions({ latencyMs: undefined });
    }
  });
});

describe('a client that leaves while sending its body', () => {
  it('is forgotten; the server keeps serving', async () => {
    const { port } = new URL(url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
            'content-length: 200\r\n\r\n{"query":',
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.once('close', () => resolve());
      socket.once('error', reject);
    });
    const after = await answer(await fetch(url, init(CASES[0]!)));
    expect(after.status).toBe(200);
  });
});

describe('answerTypeFor picks the media type yoga picks', () => {
  it.each([
    [undefined, 'application/json'],
    ['*/*', 'application/json'],
    ['application/json', 'application/json'],
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
    ['application/json, application/graphql-response+json', 'application/json'],
    ['application/*', 'application/json'],
    ['application/json; charset=latin1', undefined],
    ['text/event-stream', undefined],
    ['text/html', undefined],
  ])('%s -> %s', (accept, expected) => {
    expect(answerTypeFor(accept)).toBe(expected);
  });
});
