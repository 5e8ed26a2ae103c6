import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { codesOf, gqlRequest, useGateway } from '../helpers/gateway.js';
import { spawnGateway } from '../helpers/processes.js';
import { UPSTREAM_ROUTES, unknownRoutes } from '../helpers/upstream-routes.js';

// Each test here is an attack from issue 11, sent as an anonymous or ordinary client would.

const ENTITIES = `query ($r: [_Any!]!) {
  _entities(representations: $r) { ... on RefreshToken { pk } ... on User { pk username } ... on OAuth2Provider { pk name } }
}`;
const nodeId = (text: string) => Buffer.from(text).toString('base64url');

describe('the request that used to kill the process', () => {
  let fake: FakeAuthentik;
  beforeAll(async () => {
    fake = await startFakeAuthentik();
  });
  afterAll(() => fake.close());

  it('answers it, and the next caller still gets data from the same process', async () => {
    const gateway = await spawnGateway(fake.url);
    try {
      const url = `${gateway.origin}/graphql`;
      const attacks: unknown[][] = [
        [
          { __typename: 'RefreshToken', pk: 1 },
          { __typename: 'RefreshToken', pk: null },
        ],
        [{ __typename: 'RefreshToken', pk: 1042 }, { __typename: 'NoSuchType', pk: 1 }, [], 7],
        [{ __typename: 'User', pk: 3 }, { __typename: 'User' }, 'x'],
      ];
      for (const representations of attacks) {
        for (const token of [null, undefined]) {
          const request = gqlRequest(ENTITIES, { r: representations }, { token });
          const response = await fetch(url, request);
          expect(response.status).toBe(200);
          await response.json();
        }
      }
      // Whatever was still in flight when those answers were sent has settled by now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(gateway.child.process.exitCode).toBeNull();
      const next = await fetch(url, gqlRequest('{ refreshTokens(first: 1) { totalCount } }', {}));
      expect(await next.json()).toEqual({ data: { refreshTokens: { totalCount: 300 } } });
      expect(gateway.child.lines.join('\n')).not.toContain('unhandled rejection');
    } finally {
      await gateway.child.stop();
    }
  });
});

describe('entity representations and ids are checked before use', () => {
  const gateway = useGateway({
    env: { BREAKER_FAILURE_THRESHOLD: '5', BREAKER_RESET_MS: '60000', READY_CACHE_MS: '0' },
  });

  const metricsText = async () => (await fetch(`${gateway.url}/metrics`)).text();

  it.each<[string, unknown]>([
    ['a pk with a space (undici refuses the path)', 'x 0'],
    ['a path traversal', '../../../core/users/1'],
    ['a query string smuggled into the path', '1/?page_size=1000&x='],
    ['zero', 0],
    ['a negative pk', -4],
    ['a fraction', 1.5],
    ['an unsafe integer', 2 ** 60],
    ['null', null],
    ['an object', { $gt: 1 }],
    ['a numeric string with a sign', '+7'],
  ])('%s: null with BAD_USER_INPUT at its own path, no upstream call', async (_label, pk) => {
    gateway.fake.resetRequests();
    const result = await gateway.gql<{ _entities: unknown[] }>(ENTITIES, {
      r: [
        { __typename: 'RefreshToken', pk: 1041 },
        { __typename: 'User', pk },
      ],
    });
    expect(result.data!._entities).toEqual([{ pk: 1041 }, null]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      path: ['_entities', 1],
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(gateway.fake.requests.map((r) => r.path)).toEqual([
      '/api/v3/oauth2/refresh_tokens/1041/',
    ]);
  });

  it('accepts a pk sent as a string of digits, as some routers do', async () => {
    const result = await gateway.gql(ENTITIES, { r: [{ __typename: 'User', pk: '7' }] });
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ _entities: [{ pk: 7 }] });
  });

  it('checks a User uuid key, and an unknown typename, the same way', async () => {
    gateway.fake.resetRequests();
    const result = await gateway.gql<{ _entities: unknown[] }>(ENTITIES, {
      r: [
        { __typename: 'User', uuid: 'not-a-uuid' },
        { __typename: 'Query', pk: 1 },
        { __typename: 'User' },
        'RefreshToken:1',
      ],
    });
    expect(result.data!._entities).toEqual([null, null, null, null]);
    expect(codesOf(result)).toEqual(Array(4).fill('BAD_USER_INPUT'));
    expect(result.errors!.map((e) => e.path)).toEqual([0, 1, 2, 3].map((i) => ['_entities', i]));
    expect(gateway.fake.requests).toEqual([]);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['node with pk 0', 'query ($id: ID!) { node(id: $id) { id } }', { id: nodeId('User:0') }],
    [
      'nodes with a negative pk',
      'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }',
      { ids: [nodeId('User:7'), nodeId('User:-1')] },
    ],
    ['refreshToken(pk: 0)', '{ refreshToken(pk: 0) { pk } }', {}],
    ['refreshToken(pk: -3)', '{ refreshToken(pk: -3) { pk } }', {}],
    ['filter.userPk: -1', '{ refreshTokens(filter: { userPk: -1 }) { totalCount } }', {}],
    [
      'deleteRefreshToken of pk 0',
      'mutation ($id: ID!) { deleteRefreshToken(input: { id: $id }) { deletedId } }',
      { id: nodeId('RefreshToken:0') },
    ],
  ])('%s: BAD_USER_INPUT, no upstream call', async (_label, query, variables) => {
    gateway.fake.resetRequests();
    const result = await gateway.gql(query, variables);
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(gateway.fake.requests).toEqual([]);
  });

  it('a client’s bad input never opens the breaker: ten in a row, then /readyz and data', async () => {
    for (let i = 0; i < 10; i++) {
      await gateway.gql(ENTITIES, { r: [{ __typename: 'User', pk: `x ${i}` }] });
      await gateway.gql(ENTITIES, { r: [{ __typename: 'OAuth2Provider', pk: `${i}/../1` }] });
    }
    expect(gateway.app.http.resilience.breaker!.state).toBe('closed');
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    expect(await metricsText()).toMatch(/^gateway_upstream_circuit_open 0$/m);
    const result = await gateway.gql('{ refreshTokens(first: 1) { totalCount } }');
    expect(result.data).toEqual({ refreshTokens: { totalCount: 300 } });
  });

  it('4xx answers from authentik do not open it either', async () => {
    for (let i = 0; i < 8; i++) {
      await gateway.gql('{ refreshTokens(filter: { userPk: 99999 }) { totalCount } }');
      await gateway.gql('{ refreshToken(pk: 99999) { pk } }', {}, { token: 'wrong-token' });
    }
    expect(gateway.app.http.resilience.breaker!.state).toBe('closed');
  });

  it('labels upstream metrics with route templates only, never a value from a request', async () => {
    for (const pk of ['zzz', '12abc', '../x']) {
      await gateway.gql(ENTITIES, { r: [{ __typename: 'User', pk }] });
    }
    await gateway.gql(ENTITIES, {
      r: [
        { __typename: 'User', pk: 7 },
        { __typename: 'User', pk: 8 },
      ],
    });
    const endpoints = new Set(
      [...(await metricsText()).matchAll(/endpoint="([^"]*)"/g)].map((match) => match[1]),
    );
    expect(endpoints.size).toBeGreaterThan(0);
    for (const endpoint of endpoints) expect(UPSTREAM_ROUTES).toContain(endpoint);
  });

  it('sent authentik nothing outside its known routes', () => {
    expect(unknownRoutes(gateway.fake.requests)).toEqual([]);
  });
});

describe('no credentials, no upstream call', () => {
  const gateway = useGateway();

  it.each([
    ['a connection', '{ refreshTokens(first: 2) { totalCount } }'],
    ['a lookup', '{ refreshToken(pk: 1) { pk } }'],
    [
      'an entity',
      `{ _entities(representations: [{ __typename: "User", pk: 7 }]) { ... on User { username } } }`,
    ],
    [
      'a key-only entity’s connection',
      `{ _entities(representations: [{ __typename: "User", pk: 7 }]) { ... on User { refreshTokens { totalCount } } } }`,
    ],
  ])('%s answers UNAUTHENTICATED at once', async (_label, query) => {
    gateway.fake.resetRequests();
    const result = await gateway.gql(query, {}, { token: null });
    expect(codesOf(result)).toEqual(['UNAUTHENTICATED']);
    expect(result.errors![0]!.message).toContain('Authorization');
    expect(gateway.apiCalls()).toBe(0);
  });

  it('still answers __typename and introspection', async () => {
    const result = await gateway.gql(
      '{ __typename __schema { queryType { name } } }',
      {},
      { token: null },
    );
    expect(result).toMatchObject({
      data: { __typename: 'Query', __schema: { queryType: { name: 'Query' } } },
    });
    expect(result.errors).toBeUndefined();
  });
});

describe('MAX_COST is a budget of upstream calls', () => {
  // A tenant that serves 10 rows a page: reading it all takes 30 calls per list.
  const gateway = useGateway({
    fake: { maxPageSize: 10 },
    env: { MAX_COST: '40', MAX_ALIASES: '10', SEARCH_SCAN_LIMIT: '300' },
  });

  // 41 distinct user ids: 41 lookups, one more than the budget.
  const ids = Array.from(
    { length: 41 },
    (_, i) => `"${Buffer.from(`User:${i + 1}`).toString('base64url')}"`,
  );

  it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__'])(
    'a variable named $%s relying on its default is costed like any other',
    async (name) => {
      gateway.fake.resetRequests();
      const query = `query ($${name}: [ID!] = [${ids.join(', ')}]) { nodes(ids: $${name}) { id } }`;
      const result = await gateway.gql(query, {});
      expect(codesOf(result)).toEqual(['LIMIT_EXCEEDED']);
      expect(result.errors![0]!.extensions).toMatchObject({
        limit: 'MAX_COST',
        max: 40,
        found: 41,
      });
      expect(gateway.apiCalls()).toBe(0);
    },
  );

  // Distinct orders, so that no list shares a call with another.
  const ORDERS = [
    '{ field: PK }',
    '{ field: EXPIRES }',
    '{ field: USER }',
    '{ field: PROVIDER }',
    '{ field: REVOKED }',
    '{ field: PK, direction: DESC }',
  ];

  it('six aliased full scans that need 180 calls are refused after one call each', async () => {
    gateway.fake.resetRequests();
    const aliases = ORDERS.map(
      (order, i) =>
        `s${i}: refreshTokens(first: 1, orderBy: [${order}], filter: { revoked: true }) { totalCount }`,
    ).join(' ');
    const result = await gateway.gql(`{ ${aliases} }`);
    expect(gateway.apiCalls()).toBeLessThanOrEqual(ORDERS.length);
    expect(result.data ?? null).toBeNull();
    expect(new Set(codesOf(result))).toEqual(new Set(['LIMIT_EXCEEDED']));
    const error = result.errors![0]!;
    expect(error.path).toHaveLength(1);
    expect(error.message).toContain('MAX_COST');
    // 300 rows in pages of 10, for each of the six.
    expect(error.extensions).toMatchObject({ limit: 'MAX_COST', max: 40, found: 6 * 30 });
  });

  it('six 100-row windows that need 60 calls on this tenant are refused after one call each at most', async () => {
    gateway.fake.resetRequests();
    const aliases = ORDERS.map(
      (order, i) => `w${i}: refreshTokens(first: 100, orderBy: [${order}]) { nodes { pk } }`,
    ).join(' ');
    const result = await gateway.gql(`{ ${aliases} }`);
    expect(gateway.apiCalls()).toBeLessThanOrEqual(ORDERS.length);
    expect(result.data ?? null).toBeNull();
    expect(result.errors![0]!.extensions).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      limit: 'MAX_COST',
      max: 40,
      found: 6 * 10,
    });
  });

  it('an operation within its budget is answered in full', async () => {
    const result = await gateway.gql(
      '{ refreshTokens(first: 3, filter: { revoked: true }) { totalCount } }',
    );
    expect(result.errors).toBeUndefined();
  });
});

describe('slow clients (REQUEST_TIMEOUT_MS)', () => {
  const gateway = useGateway({ env: { REQUEST_TIMEOUT_MS: '1500' } });

  // Sends the headers and then one byte of the body every 200 ms; resolves with what came back.
  function trickle(port: number): Promise<{ answer: string; elapsedMs: number }> {
    return new Promise((resolve) => {
      const started = performance.now();
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      let timer: NodeJS.Timeout | undefined;
      socket.on('connect', () => {
        socket.write(
          'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
        );
        timer = setInterval(() => socket.write(' '), 200);
      });
      socket.on('data', (chunk) => (answer += chunk.toString()));
      const done = () => {
        clearInterval(timer);
        resolve({ answer, elapsedMs: performance.now() - started });
      };
      socket.on('close', done);
      socket.on('error', () => {});
    });
  }

  it('cuts a body that has not fully arrived by the deadline, and serves others meanwhile', async () => {
    const port = Number(new URL(gateway.url).port);
    const slow = trickle(port);
    const other = await fetch(
      `${gateway.url}/graphql`,
      gqlRequest('{ refreshTokens(first: 1) { totalCount } }', {}),
    );
    expect(await other.json()).toEqual({ data: { refreshTokens: { totalCount: 300 } } });
    const { answer, elapsedMs } = await slow;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // Cut at the deadline, checked every second: not before it, and well before a minute.
    expect(elapsedMs).toBeGreaterThanOrEqual(1400);
    expect(elapsedMs).toBeLessThan(10_000);
  });
});
