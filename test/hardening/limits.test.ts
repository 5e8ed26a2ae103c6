import { getIntrospectionQuery, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../src/plugins/csrf.js';
import { estimateUpstreamCalls } from '../../src/plugins/upstream-cost.js';
import { buildSchema } from '../../src/schema/index.js';
import type { HardenedGateway } from './helpers.js';
import { codesOf, gqlRequest, startHardenedGateway } from './helpers.js';

const nodeId = (type: string, pk: number) => Buffer.from(`${type}:${pk}`).toString('base64url');

describe('estimateUpstreamCalls', () => {
  const schema = buildSchema();
  const estimate = (query: string, variables?: Record<string, unknown>) =>
    estimateUpstreamCalls(schema, parse(query), undefined, variables);

  it.each([
    ['one page', '{ refreshTokens { totalCount } }', 1],
    [
      'embedded objects cost nothing',
      '{ refreshTokens(first: 100) { nodes { pk user { pk } provider { name } } } }',
      1,
    ],
    [
      "a provider's OAuth2 fields may load it, once per row",
      '{ refreshTokens(first: 100) { nodes { pk provider { name clientId clientType } } } }',
      101,
    ],
    [
      'each aliased connection',
      '{ a: refreshTokens { totalCount } b: refreshTokens(last: 5) { totalCount } }',
      2,
    ],
    // SEARCH_SCAN_LIMIT (10000) rows in pages of 100.
    ['a search scans', '{ refreshTokens(search: "grafana") { totalCount } }', 100],
    [
      'a gateway-side filter scans',
      '{ refreshTokens(filter: { revoked: true }) { totalCount } }',
      100,
    ],
    ['an upstream filter does not', '{ refreshTokens(filter: { userPk: 7 }) { totalCount } }', 1],
    [
      'nested connections multiply by first',
      '{ refreshTokens(first: 30) { nodes { user { refreshTokens(first: 5) { totalCount } } } } }',
      31,
    ],
    [
      'default page size 20',
      '{ refreshTokens { edges { node { provider { refreshTokens { totalCount } } } } } }',
      21,
    ],
    [
      'page size clamped to MAX_PAGE_SIZE',
      '{ refreshTokens(first: 5000) { nodes { user { refreshTokens { totalCount } } } } }',
      101,
    ],
    [
      'three levels',
      '{ refreshTokens(first: 10) { nodes { user { refreshTokens(first: 10) { nodes { provider { refreshTokens(first: 1) { totalCount } } } } } } } }',
      111,
    ],
    [
      'fragments count like fields',
      'query { refreshTokens(first: 4) { nodes { ...T } } } fragment T on RefreshToken { user { refreshTokens { totalCount } } }',
      5,
    ],
    [
      'lookups by id',
      `{ node(id: "${nodeId('User', 7)}") { id } refreshToken(pk: 1041) { pk } }`,
      2,
    ],
    [
      'nodes(ids:) by length, children multiplied',
      `{ nodes(ids: ["a", "b", "c"]) { ... on User { refreshTokens(first: 2) { totalCount } } } }`,
      6,
    ],
    ['introspection is free', '{ __schema { types { name } } __typename }', 0],
  ])('%s', (_name, query, expected) => {
    expect(estimate(query)).toBe(expected);
  });

  it('reads page sizes and lists from variables and their defaults', () => {
    const query = `query ($n: Int = 7, $ids: [ID!]!) {
      refreshTokens(first: $n) { nodes { user { refreshTokens { totalCount } } } }
      nodes(ids: $ids) { id }
    }`;
    expect(estimate(query, { ids: ['x', 'y'] })).toBe(1 + 7 + 2);
    expect(estimate(query, { n: 50, ids: [] })).toBe(1 + 50);
  });
});

describe('operation limits', () => {
  let gateway: HardenedGateway;
  beforeAll(async () => {
    gateway = await startHardenedGateway({
      operationLimits: {
        maxDepth: 6,
        maxAliases: 2,
        maxTokens: 60,
        maxDirectives: 2,
        maxCost: 5,
        maxBodyBytes: 1500,
      },
    });
  });
  afterAll(() => gateway.close());

  it.each([
    [
      'MAX_DEPTH',
      6,
      '{ refreshTokens(first: 1) { nodes { user { refreshTokens(first: 1) { nodes { user { pk } } } } } } }',
    ],
    [
      'MAX_ALIASES',
      2,
      '{ a: refreshTokens(first: 1) { totalCount } b: refreshTokens(first: 1) { totalCount } c: refreshTokens(first: 1) { totalCount } }',
    ],
    ['MAX_TOKENS', 60, `{ refreshTokens(first: 1) { ${'totalCount '.repeat(60)} } }`],
    [
      'MAX_DIRECTIVES',
      2,
      '{ refreshTokens(first: 1) @include(if: true) { totalCount @skip(if: false) nodes @include(if: true) { pk } } }',
    ],
    [
      'MAX_COST',
      5,
      '{ refreshTokens(first: 10) { nodes { user { refreshTokens(first: 1) { totalCount } } } } }',
    ],
  ])(
    '%s: refused with LIMIT_EXCEEDED naming the limit and its value, before any upstream call',
    async (limit, max, query) => {
      gateway.fake.resetRequests();
      const result = await gateway.gql(query);
      expect(result.data ?? null).toBeNull();
      expect(result.errors).toHaveLength(1);
      const [error] = result.errors!;
      expect(error!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit, max });
      expect(error!.message).toContain(limit);
      expect(error!.message).toContain(String(max));
      expect(gateway.apiCalls()).toBe(0);
    },
  );

  it('applies the cost limit to page sizes given as variables', async () => {
    const query =
      'query ($n: Int) { refreshTokens(first: $n) { nodes { user { refreshTokens(first: 1) { totalCount } } } } }';
    const small = await gateway.gql(query, { n: 2 });
    expect(small.errors).toBeUndefined();
    const large = await gateway.gql(query, { n: 10 });
    expect(codesOf(large)).toEqual(['LIMIT_EXCEEDED']);
    expect(large.errors![0]!.extensions).toMatchObject({ limit: 'MAX_COST', max: 5, found: 11 });
  });

  it('answers operations within every limit', async () => {
    const result = await gateway.gql('{ refreshTokens(first: 2) { totalCount nodes { pk } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ refreshTokens: { totalCount: 300 } });
  });

  it('refuses a body over MAX_BODY_BYTES with 413, by Content-Length', async () => {
    const init = gqlRequest(
      `{ refreshTokens(first: 1) { totalCount } } ${'#'.repeat(2000)}`,
      undefined,
    );
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', init);
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
    expect(body.errors[0]!.message).toContain('1500');
    expect(body.errors[0]!.extensions).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      limit: 'MAX_BODY_BYTES',
    });
  });

  it('refuses a chunked body over MAX_BODY_BYTES with 413 while it streams in', async () => {
    const text = JSON.stringify({ query: `{ __typename } ${'#'.repeat(3000)}` });
    const chunks = [text.slice(0, 1000), text.slice(1000, 2000), text.slice(2000)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('MAX_BODY_BYTES');
  });

  it('refuses batched requests (batching is off by default)', async () => {
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('default limits', () => {
  let gateway: HardenedGateway;
  beforeAll(async () => {
    gateway = await startHardenedGateway();
  });
  afterAll(() => gateway.close());

  it('let GraphiQL’s full introspection query through', async () => {
    const result = await gateway.gql(
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true }),
    );
    expect(result.errors).toBeUndefined();
  });

  it('let a realistic page with every token, user and provider field through', async () => {
    const result = await gateway.gql(`query Page($after: String) {
      refreshTokens(first: 100, after: $after, orderBy: [{ field: EXPIRES, direction: DESC }]) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node {
          id pk expires isExpired revoked scope idToken idTokenClaims
          user { id pk username name email isActive isSuperuser groupsObj { pk name } rolesObj { pk name } }
          provider { id pk name clientId clientType redirectUris { url matchingMode } assignedApplicationName }
        } }
      }
    }`);
    expect(result.errors).toBeUndefined();
  });
});

describe('batching when MAX_BATCH_SIZE is set', () => {
  let gateway: HardenedGateway;
  beforeAll(async () => {
    gateway = await startHardenedGateway({ operationLimits: { maxBatchSize: 2 } });
  });
  afterAll(() => gateway.close());

  const batch = (n: number) =>
    gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: n }, () => ({ query: '{ __typename }' }))),
    });

  it('answers up to the limit and refuses more with 413 naming it', async () => {
    const ok = await batch(2);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([
      { data: { __typename: 'Query' } },
      { data: { __typename: 'Query' } },
    ]);
    const tooMany = await batch(3);
    expect(tooMany.status).toBe(413);
    expect(await tooMany.text()).toContain('2');
  });
});

describe('CSRF prevention, GraphiQL and introspection switches', () => {
  let open: HardenedGateway;
  let closed: HardenedGateway;
  beforeAll(async () => {
    open = await startHardenedGateway();
    closed = await startHardenedGateway({ introspection: false, graphiql: false });
  });
  afterAll(async () => {
    await open.close();
    await closed.close();
  });

  const getUrl = 'http://gateway.test/graphql?query=%7B__typename%7D';

  it.each([
    ['GET without the header', { method: 'GET' }],
    [
      'form POST',
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'query=%7B__typename%7D',
      },
    ],
    [
      'text/plain POST',
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"query":"{__typename}"}',
      },
    ],
  ])(
    'refuses a %s (no preflight in a browser) with 403 CSRF_HEADER_REQUIRED',
    async (_name, init) => {
      const response = await open.yoga.fetch(getUrl, init as RequestInit);
      expect(response.status).toBe(403);
      const body = (await response.json()) as { errors: { extensions?: { code?: string } }[] };
      expect(body.errors[0]!.extensions?.code).toBe('CSRF_HEADER_REQUIRED');
    },
  );

  it('answers a GET that carries the CSRF header', async () => {
    const response = await open.yoga.fetch(getUrl, { headers: { [CSRF_HEADER]: '1' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves GraphiQL to browsers unless GRAPHIQL=false', async () => {
    const page = (gateway: HardenedGateway) =>
      gateway.yoga.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });
    const on = await page(open);
    expect(on.status).toBe(200);
    expect(await on.text()).toContain('<html');
    const off = await page(closed);
    expect(off.headers.get('content-type') ?? '').not.toContain('text/html');
  });

  it('answers introspection unless INTROSPECTION=false; __typename always works', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect((await open.gql(query)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const refused = await closed.gql(query);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors![0]!.message).toMatch(/introspection/i);
    expect((await closed.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('hides "Did you mean" suggestions when introspection is off', async () => {
    const typo = '{ refreshTokenz { totalCount } }';
    expect((await open.gql(typo)).errors![0]!.message).toContain('Did you mean');
    expect((await closed.gql(typo)).errors![0]!.message).not.toContain('Did you mean');
  });
});
