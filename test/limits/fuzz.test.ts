import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GqlResult } from '../helpers/gateway.js';
import { useGateway } from '../helpers/gateway.js';
import { leakingLines, secretsOf } from '../helpers/log-leaks.js';

/** Codes a client may see for bad input; anything else (or no code) would be a bug here. */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'SEARCH_TOO_BROAD',
  'LIMIT_EXCEEDED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'GRAPHQL_VALIDATION_FAILED',
]);

// A fixed seed keeps the suite deterministic; FC_SEED=<n> explores other inputs locally.
const SEED = Number(process.env.FC_SEED ?? 20_261_127);
const runs = (numRuns: number) => ({ numRuns, seed: SEED });

// Debug lines too: the last test checks that none is an error or carries a credential.
const gateway = useGateway({ env: { LOG_LEVEL: 'debug' } });
let cursors: string[] = [];
beforeAll(async () => {
  const page = await gateway.gql<{ refreshTokens: { edges: { cursor: string }[] } }>(
    '{ refreshTokens(first: 5) { edges { cursor } } }',
  );
  cursors = page.data!.refreshTokens.edges.map((edge) => edge.cursor);
});

// Passes when the gateway answered as designed: no 5xx, and every error either carries a client
// code or is one of graphql-js's own request errors (variable coercion: no code and no path).
function expectHandled(result: GqlResult): void {
  expect(result.status).toBeLessThan(500);
  for (const error of result.errors ?? []) {
    expect(error.message).not.toBe('Unexpected error.');
    const code = error.extensions?.code;
    if (code === undefined) expect(error.path).toBeUndefined();
    else expect(CLIENT_CODES).toContain(code);
  }
}

const anyInt = fc.oneof(
  fc.integer({ min: -5, max: 120 }),
  fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31)),
  fc.integer(),
);
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
// A real cursor with one character replaced, or random base64-looking text.
const cursor = fc.oneof(
  fc.constant(null),
  text,
  fc.base64String({ maxLength: 40 }),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('A', '_', '-', '=', '9', '!')).map(([i, j, c]) => {
    const base = cursors[i % cursors.length]!;
    const at = j % base.length;
    return base.slice(0, at) + c + base.slice(at + 1);
  }),
);
const order = fc.array(
  fc.record({
    field: fc.constantFrom('EXPIRES', 'PK', 'PROVIDER', 'REVOKED', 'USER'),
    direction: fc.constantFrom('ASC', 'DESC'),
  }),
  { maxLength: 6 },
);
const filter = fc.option(
  fc.record(
    {
      userPk: anyInt,
      providerPk: anyInt,
      isExpired: fc.option(fc.boolean()),
      revoked: fc.option(fc.boolean()),
    },
    { requiredKeys: [] },
  ),
);

const LIST = `query ($first: Int, $last: Int, $after: String, $before: String, $search: String,
  $filter: RefreshTokenFilter, $orderBy: [RefreshTokenOrder!]) {
  refreshTokens(first: $first, last: $last, after: $after, before: $before, search: $search,
    filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id pk user { pk } provider { pk clientId } } }
  }
}`;

describe('property: hostile input never crashes the gateway or leaks an internal error', () => {
  it('connection arguments', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            first: fc.option(anyInt),
            last: fc.option(anyInt),
            after: cursor,
            before: cursor,
            search: fc.option(text),
            filter,
            orderBy: fc.option(order),
          },
          { requiredKeys: [] },
        ),
        async (variables) => expectHandled(await gateway.gql(LIST, variables)),
      ),
      runs(150),
    );
  });

  it('ids and primary keys', async () => {
    const id = fc.oneof(
      text,
      fc.base64String({ maxLength: 30 }),
      fc
        .tuple(fc.constantFrom('User', 'RefreshToken', 'OAuth2Provider', 'Group', ''), anyInt)
        .map(([type, pk]) => Buffer.from(`${type}:${pk}`).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(
        id,
        fc.array(id, { maxLength: 5 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        async (one, many, pk) => {
          const result = await gateway.gql(
            `query ($one: ID!, $many: [ID!]!, $pk: Int!) {
              node(id: $one) { id }
              nodes(ids: $many) { id }
              refreshToken(pk: $pk) { pk }
            }`,
            { one, many, pk },
          );
          expectHandled(result);
        },
      ),
      runs(100),
    );
  });

  it('values of the wrong type', async () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('first', 'after', 'filter', 'orderBy', 'search'), json),
        async (variables) => expectHandled(await gateway.gql(LIST, variables)),
      ),
      runs(100),
    );
  });

  it('Authorization and X-Request-Id headers', async () => {
    // Header values: visible ASCII and inner spaces (what fetch lets a client send).
    const headerValue = fc
      .string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 60,
      })
      .map((value) => value.trim());
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          headerValue,
          headerValue.map((value) => `Bearer ${value}`),
        ),
        headerValue,
        async (authorization, requestId) => {
          const response = await gateway.app.yoga.fetch('http://gateway.test/graphql', {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(authorization ? { authorization } : {}),
              ...(requestId ? { 'x-request-id': requestId } : {}),
            },
            body: JSON.stringify({ query: '{ refreshTokens(first: 1) { totalCount } }' }),
          });
          const body = (await response.json()) as Omit<GqlResult, 'status' | 'headers'>;
          expectHandled({ ...body, status: response.status, headers: response.headers });
          const echoed = response.headers.get('x-request-id') ?? '';
          if (/^[A-Za-z0-9._:-]{1,128}$/.test(requestId)) expect(echoed).toBe(requestId);
          else expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
        },
      ),
      runs(100),
    );
  });

  it('logged no internal error and no credential', () => {
    expect(gateway.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    expect(leakingLines(gateway.logs, secretsOf(gateway.fake))).toEqual([]);
  });
});
