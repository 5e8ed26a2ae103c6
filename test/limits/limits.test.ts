import { getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../src/limits/csrf.js';
import { estimateUpstreamCalls } from '../../src/limits/upstream-cost.js';
import { buildSchema } from '../../src/graphql/schema/index.js';
import type { TestGateway } from '../helpers/gateway.js';
import { codesOf, gqlRequest, useGateway } from '../helpers/gateway.js';

const nodeId = (type: string, pk: number) => Buffer.from(`${type}:${pk}`).toString('base64url');

describe('estimateUpstreamCalls: the calls an operation makes at least', () => {
  const schema = buildSchema();
  const estimate = (query: string, variables?: Record<string, unknown>) =>
    estimateUpstreamCalls(schema, parse(query), undefined, variables).calls;

  it.each([
    ['one page', '{ refreshTokens { totalCount } }', 1],
    [
      'embedded objects cost nothing',
      '{ refreshTokens(first: 100) { nodes { pk user { pk } provider { name } } } }',
      1,
    ],
    // Loaded once per provider, and only on authentik 2025.12.5+: not certain.
    [
      "a provider's OAuth2 fields are not counted",
      '{ refreshTokens(first: 100) { nodes { pk provider { name clientId clientType } } } }',
      1,
    ],
    [
      'each aliased connection',
      '{ a: refreshTokens { totalCount } b: refreshTokens(last: 5) { totalCount } }',
      2,
    ],
    // How many pages a scan reads is what authentik's count says, while the operation runs.
    ['a search reads one page at least', '{ refreshTokens(search: "grafana") { totalCount } }', 1],
    [
      'so does a gateway-side filter',
      '{ refreshTokens(filter: { revoked: true }) { totalCount } }',
      1,
    ],
    // How many rows come back is not known: the rows' connections count while it runs.
    [
      'a connection per row is not counted',
      '{ refreshTokens(first: 100) { nodes { user { refreshTokens(first: 5) { totalCount } } } } }',
      1,
    ],
    [
      'nor are three levels of them',
      '{ refreshTokens(first: 10) { nodes { user { refreshTokens(first: 10) { nodes { provider { refreshTokens(first: 1) { totalCount } } } } } } } }',
      1,
    ],
    [
      'fragments count like fields',
      'query { ...Q } fragment Q on Query { refreshTokens { totalCount } refreshToken(pk: 1) { pk } }',
      2,
    ],
    [
      'a fragment spread twice in one selection counts once (graphql-js collects it once)',
      'query { ...Q ...Q } fragment Q on Query { refreshTokens { totalCount } }',
      1,
    ],
    [
      'lookups by id',
      `{ node(id: "${nodeId('User', 7)}") { id } refreshToken(pk: 1041) { pk } }`,
      2,
    ],
    [
      'nodes(ids:): one per distinct id, and what is below them once per id',
      `{ nodes(ids: ["a", "b", "c", "a"]) { ... on User { refreshTokens(first: 2) { totalCount } } } }`,
      6,
    ],
    ['introspection is free', '{ __schema { types { name } } __typename }', 0],
  ])('%s', (_name, query, expected) => {
    expect(estimate(query)).toBe(expected);
  });

  it('reads lists from variables and their defaults', () => {
    const query = `query ($ids: [ID!]!, $more: [ID!] = ["x", "y", "z"]) {
      refreshTokens(first: 50) { nodes { user { refreshTokens { totalCount } } } }
      nodes(ids: $ids) { id }
      more: nodes(ids: $more) { id }
    }`;
    expect(estimate(query, { ids: ['x', 'y'] })).toBe(1 + 2 + 3);
    expect(estimate(query, { ids: [], more: ['x'] })).toBe(1 + 0 + 1);
  });
});

describe('operation limits', () => {
  const gateway = useGateway({
    env: {
      MAX_DEPTH: '6',
      MAX_ALIASES: '2',
      MAX_TOKENS: '60',
      MAX_DIRECTIVES: '2',
      MAX_COST: '5',
      MAX_BODY_BYTES: '1500',
    },
  });

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
      `{ nodes(ids: [${[4, 7, 9, 15, 16, 23].map((pk) => `"${nodeId('User', pk)}"`).join(', ')}]) { id } }`,
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

  it('applies the cost limit to ids given as variables', async () => {
    const query = 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    const ids = [4, 7, 9, 15, 16, 23].map((pk) => nodeId('User', pk));
    const small = await gateway.gql(query, { ids: ids.slice(0, 2) });
    expect(small.errors).toBeUndefined();
    const large = await gateway.gql(query, { ids });
    expect(codesOf(large)).toEqual(['LIMIT_EXCEEDED']);
    expect(large.errors![0]!.extensions).toMatchObject({ limit: 'MAX_COST', max: 5, found: 6 });
  });

  it('refuses nested connections once the rows show their need, before reading them', async () => {
    // Static count 1; the page's rows have more than four users, so their connections cannot all
    // be read: refused together, after the one call that told it.
    gateway.fake.resetRequests();
    const result = await gateway.gql(
      '{ refreshTokens(first: 30) { nodes { user { refreshTokens(first: 1) { totalCount } } } } }',
    );
    expect(result.data ?? null).toBeNull();
    expect(new Set(codesOf(result))).toEqual(new Set(['LIMIT_EXCEEDED']));
    expect(result.errors![0]!.extensions).toMatchObject({ limit: 'MAX_COST', max: 5 });
    expect(result.errors![0]!.extensions!.found).toBeGreaterThan(5);
    expect(gateway.apiCalls()).toBe(1);
  });

  it('stops calls no answer foretold at the budget: never more than MAX_COST calls', async () => {
    // One list call, then one load per distinct provider for its OAuth2 fields (authentik
    // 2025.12.5+): more providers than the budget has calls left.
    gateway.fake.resetRequests();
    const result = await gateway.gql(
      '{ refreshTokens(first: 100, orderBy: [{ field: PK }]) { nodes { provider { pk clientId } } } }',
    );
    expect(gateway.apiCalls()).toBe(5);
    const refused = result.errors!.filter((e) => e.extensions?.code === 'LIMIT_EXCEEDED');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.message).toContain('has used its budget of 5 calls');
    expect(refused[0]!.extensions).toMatchObject({ limit: 'MAX_COST', max: 5 });
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
    const response = await gateway.app.yoga.fetch('http://gateway.test/graphql', init);
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
    const response = await gateway.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('MAX_BODY_BYTES');
  });

  it('refuses batched requests (batching is off by default)', async () => {
    const response = await gateway.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('default limits', () => {
  const gateway = useGateway();

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
  const gateway = useGateway({ env: { MAX_BATCH_SIZE: '2' } });

  const batch = (n: number) =>
    gateway.app.yoga.fetch('http://gateway.test/graphql', {
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
  const open = useGateway();
  const closed = useGateway({ env: { INTROSPECTION: 'false', GRAPHIQL: 'false' } });

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
      const response = await open.app.yoga.fetch(getUrl, init as RequestInit);
      expect(response.status).toBe(403);
      const body = (await response.json()) as { errors: { extensions?: { code?: string } }[] };
      expect(body.errors[0]!.extensions?.code).toBe('CSRF_HEADER_REQUIRED');
    },
  );

  it('answers a GET that carries the CSRF header', async () => {
    const response = await open.app.yoga.fetch(getUrl, { headers: { [CSRF_HEADER]: '1' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves GraphiQL to browsers unless GRAPHIQL=false', async () => {
    const page = (gateway: TestGateway) =>
      gateway.app.yoga.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });
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
