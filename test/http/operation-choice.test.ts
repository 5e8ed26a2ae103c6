import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { CSRF_HEADER } from '../../src/limits/csrf.js';
import { codesOf, useGateway } from '../helpers/gateway.js';

// The operation a request names is the one that runs, whatever ran before with the same text:
// documents with several operations are normal (GraphiQL sends the whole editor), and an earlier
// request (anonymous or not) must not choose what a later one executes.
const gw = useGateway();

// A user whose grants nothing else in this file touches: the mutation really deletes.
const VICTIM = 7;
const DOCUMENT = `query CountTokens { refreshTokens(first: 1) { totalCount } }
mutation RevokeVictim { revokeOAuth2Grants(input: { userPk: ${VICTIM}, kinds: [REFRESH_TOKEN], dryRun: true }) { matchedCount } }
query EdgesPage { refreshTokens(first: 2) { edges { node { pk user { username } } } } }
query NodesPage { refreshTokens(first: 2) { nodes { pk user { username } } } }`;
const OPERATIONS = ['CountTokens', 'RevokeVictim', 'EdgesPage', 'NodesPage'] as const;
type OperationName = (typeof OPERATIONS)[number];

interface Sent {
  operation: OperationName;
  method: 'GET' | 'POST';
  anonymous: boolean;
}

async function send({ operation, method, anonymous }: Sent) {
  const headers: Record<string, string> = { [CSRF_HEADER]: '1' };
  if (!anonymous) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  gw.fake.resetRequests();
  const response =
    method === 'GET'
      ? await fetch(
          `${gw.url}/graphql?${new URLSearchParams({ query: DOCUMENT, operationName: operation })}`,
          { headers },
        )
      : await fetch(`${gw.url}/graphql`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ query: DOCUMENT, operationName: operation }),
        });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: [] };
  const calls = gw.fake.requests
    .filter((r) => r.path.startsWith('/api/v3/'))
    .map((r) => `${r.method} ${r.path}`);
  return { status: response.status, body, calls };
}

// What each operation must answer and call, and nothing else.
function expectRanAsNamed(sent: Sent, got: Awaited<ReturnType<typeof send>>) {
  const isMutation = sent.operation === 'RevokeVictim';
  if (isMutation && sent.method === 'GET') {
    expect(got.status).toBe(405);
    expect(got.calls).toEqual([]);
    return;
  }
  if (sent.anonymous) {
    expect(codesOf(got.body)).toContain('UNAUTHENTICATED');
    expect(got.calls).toEqual([]);
    return;
  }
  expect(got.body.errors).toBeUndefined();
  const data = got.body.data!;
  switch (sent.operation) {
    case 'CountTokens':
      expect(Object.keys(data)).toEqual(['refreshTokens']);
      expect(Object.keys(data.refreshTokens as object)).toEqual(['totalCount']);
      break;
    case 'RevokeVictim':
      expect(Object.keys(data)).toEqual(['revokeOAuth2Grants']);
      break;
    case 'EdgesPage':
      expect(Object.keys(data.refreshTokens as object)).toEqual(['edges']);
      break;
    case 'NodesPage':
      expect(Object.keys(data.refreshTokens as object)).toEqual(['nodes']);
      break;
  }
  expect(got.calls.every((call) => call.startsWith('GET '))).toBe(true);
  if (isMutation) {
    expect(got.calls).toContain('GET /api/v3/oauth2/refresh_tokens/');
  } else {
    expect(got.calls).toEqual(['GET /api/v3/oauth2/refresh_tokens/']);
  }
}

describe('the executed operation is the one the request names', () => {
  it('after an anonymous request primed the mutation, a GET naming the query runs the query', async () => {
    const primed = await send({ operation: 'RevokeVictim', method: 'POST', anonymous: true });
    expect(codesOf(primed.body)).toContain('UNAUTHENTICATED');
    const got = await send({ operation: 'CountTokens', method: 'GET', anonymous: false });
    expectRanAsNamed({ operation: 'CountTokens', method: 'GET', anonymous: false }, got);
    expect(got.calls.filter((call) => call.startsWith('DELETE'))).toEqual([]);
  });

  it('a mutation never runs over GET, even after it ran over POST with the same text', async () => {
    await send({ operation: 'RevokeVictim', method: 'POST', anonymous: false });
    const got = await send({ operation: 'RevokeVictim', method: 'GET', anonymous: false });
    expect(got.status).toBe(405);
    expect(got.calls).toEqual([]);
  });

  it('holds for every order of operations, methods and callers (fast-check)', async () => {
    const sent = fc.record({
      operation: fc.constantFrom(...OPERATIONS),
      method: fc.constantFrom('GET' as const, 'POST' as const),
      anonymous: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(sent, { minLength: 2, maxLength: 6 }), async (sequence) => {
        for (const request of sequence) expectRanAsNamed(request, await send(request));
      }),
      { numRuns: 40 },
    );
  });
});
