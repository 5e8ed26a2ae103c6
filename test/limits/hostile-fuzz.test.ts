import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unknownRoutes } from '../helpers/upstream-routes.js';
import { useGatewayProcess } from '../helpers/processes.js';

// Arbitrary client values at every entry (entity representations, Relay ids, variables), with
// and without credentials, against the gateway in its own process. After every request: the
// process is alive, a valid caller still gets data, the breaker is closed, authentik was sent
// nothing outside its known routes, and no operation made more than MAX_COST calls.

const MAX_COST = 30;
const SEED = Number(process.env.FC_SEED ?? 20_261_129);
const runs = (numRuns: number) => ({ numRuns, seed: SEED });

// A breaker that would open after two failures: anything a client does that counted would show.
const gateway = useGatewayProcess({
  MAX_COST: String(MAX_COST),
  BREAKER_FAILURE_THRESHOLD: '2',
  BREAKER_RESET_MS: '600000',
  READY_CACHE_MS: '0',
});

let sequence = 0;

/**
 * POSTs `{query, variables}` with the variables written key by key, so that names such as
 * `__proto__` arrive as the client wrote them. Returns the request id it was sent with.
 */
async function post(
  query: string,
  variables: [string, unknown][],
  token: string | null,
): Promise<{ id: string; status: number }> {
  const id = `fuzz-${++sequence}`;
  const pairs = variables.map(
    ([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`,
  );
  const response = await fetch(`${gateway.origin}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': id,
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: `{"query":${JSON.stringify(query)},"variables":{${pairs.join(',')}}}`,
  });
  await response.arrayBuffer();
  return { id, status: response.status };
}

async function expectUnharmed(sent: { id: string; status: number }): Promise<void> {
  expect(sent.status).toBeLessThan(500);
  expect(gateway.child.process.exitCode).toBeNull();
  const valid = await fetch(`${gateway.origin}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${gateway.fake.tokens.admin}`,
    },
    body: JSON.stringify({ query: '{ refreshTokens(first: 1) { totalCount } }' }),
  });
  expect(await valid.json()).toEqual({ data: { refreshTokens: { totalCount: 300 } } });
  expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(200);
  const metrics = await (await fetch(`${gateway.origin}/metrics`)).text();
  expect(metrics).toMatch(/^gateway_upstream_circuit_open 0$/m);
  expect(unknownRoutes(gateway.fake.requests)).toEqual([]);
  const calls = gateway.fake.requests.filter(
    (request) => request.headers['x-request-id'] === sent.id,
  );
  expect(calls.length).toBeLessThanOrEqual(MAX_COST);
  gateway.fake.resetRequests();
}

const tokens = () =>
  fc.constantFrom<string | null>(
    null,
    gateway.fake.tokens.admin,
    gateway.fake.tokens.users.jsmith!,
    'not-a-token',
    gateway.fake.tokens.expired,
  );
const suspiciousText = fc.constantFrom(
  'x 0',
  '../../../core/users/1',
  '1/?page_size=1000&x=',
  '7',
  '1041',
  '%2e%2e/1',
  '0x10',
  '1e3',
  '\u0000',
  '９',
);
/** A value a client may send where an id or a number belongs: `numbers`, suspicious text, any JSON. */
const hostileValue = (numbers: fc.Arbitrary<number>[], texts: fc.Arbitrary<string>[] = []) =>
  fc.oneof(...numbers, suspiciousText, ...texts, fc.jsonValue({ maxDepth: 2 }));
const anyPk = hostileValue(
  [fc.integer({ min: -3, max: 1400 }), fc.integer(), fc.double()],
  [fc.string({ maxLength: 20 })],
);
const typename = fc.oneof(
  fc.constantFrom(
    'RefreshToken',
    'User',
    'OAuth2Provider',
    'Query',
    '_Service',
    'Node',
    '__proto__',
  ),
  fc.string({ maxLength: 12 }),
);
const representation = fc.oneof(
  fc.record(
    { __typename: typename, pk: anyPk, uuid: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })) },
    { requiredKeys: ['__typename'] },
  ),
  fc.jsonValue({ maxDepth: 2 }).filter((value) => value !== null),
);

describe('arbitrary client values never harm the gateway, the breaker or the next caller', () => {
  it('_entities representations', async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) {
      ... on RefreshToken { pk user { username } provider { clientId } }
      ... on User { pk uuid username refreshTokens(first: 2) { totalCount } }
      ... on OAuth2Provider { pk name clientId }
    } }`;
    await fc.assert(
      fc.asyncProperty(
        fc.array(representation, { maxLength: 6 }),
        tokens(),
        async (representations, token) => {
          await expectUnharmed(await post(query, [['r', representations]], token));
        },
      ),
      runs(80),
    );
  });

  it('node and nodes ids', async () => {
    const query = `query ($id: ID!, $ids: [ID!]!) {
      node(id: $id) { id ... on User { username } ... on RefreshToken { pk } }
      nodes(ids: $ids) { id }
    }`;
    const globalId = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc
        .tuple(fc.constantFrom('User', 'RefreshToken', 'OAuth2Provider', 'Query', 'X'), anyPk)
        .map(([type, pk]) => Buffer.from(`${type}:${String(pk)}`).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(
        globalId,
        fc.array(globalId, { maxLength: 6 }),
        tokens(),
        async (id, ids, token) => {
          await expectUnharmed(
            await post(
              query,
              [
                ['id', id],
                ['ids', ids],
              ],
              token,
            ),
          );
        },
      ),
      runs(60),
    );
  });

  it('variables, including names that live on Object.prototype', async () => {
    const query = `query ($toString: Int = 100, $constructor: Int = 50, $valueOf: String, $hasOwnProperty: Int) {
      refreshTokens(first: $toString, search: $valueOf, filter: { userPk: $hasOwnProperty }) {
        totalCount
        nodes { pk user { refreshTokens(first: $constructor) { totalCount } } provider { clientId } }
      }
    }`;
    const name = fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'first',
    );
    const value = hostileValue([fc.integer({ min: -2, max: 120 })]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(name, value), { maxLength: 4 }),
        tokens(),
        async (variables, token) => {
          await expectUnharmed(await post(query, variables, token));
        },
      ),
      runs(60),
    );
  });

  it('logged no unhandled rejection and no credential', () => {
    const log = gateway.child.lines.join('\n');
    expect(log).not.toContain('unhandled rejection');
    for (const secret of [gateway.fake.tokens.admin, gateway.fake.tokens.users.jsmith!]) {
      expect(log).not.toContain(secret);
    }
  });
});
