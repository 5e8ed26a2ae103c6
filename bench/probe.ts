import type { FakeAuthentik } from '../src/fake-authentik/server.js';
import { waitUntilUpstreamQuiet } from './upstream-counter.js';

/** Sent with every request, to the gateway and to the fake alike. */
export const AUTHORIZATION = 'Bearer demo-admin-token';

/** The HTTP request that carries a GraphQL operation to the gateway. */
export function graphqlRequest(query: string): {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
} {
  return {
    method: 'POST',
    headers: {
      authorization: AUTHORIZATION,
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    },
    body: JSON.stringify({ query }),
  };
}

/**
 * Sends the operation through the gateway and returns the upstream API calls (path and query) it
 * cost, in the order the fake saw them: the direct baseline's request sequence. Checks that the
 * operation succeeds without GraphQL errors, and that two probes agree (nothing else was calling).
 */
export async function probeUpstreamCalls(
  gatewayUrl: string,
  query: string,
  fake: FakeAuthentik,
): Promise<string[]> {
  const first = await probeOnce(gatewayUrl, query, fake);
  const second = await probeOnce(gatewayUrl, query, fake);
  // Pages a scan reads in parallel arrive in either order: compare the calls, not their order.
  if ([...first].sort().join('\n') !== [...second].sort().join('\n')) {
    throw new Error(
      `two probes cost different upstream calls:\n${first.join('\n')}\n--\n${second.join('\n')}`,
    );
  }
  return first;
}

async function probeOnce(
  gatewayUrl: string,
  query: string,
  fake: FakeAuthentik,
): Promise<string[]> {
  await waitUntilUpstreamQuiet(fake);
  fake.resetRequests();
  const response = await fetch(gatewayUrl, graphqlRequest(query));
  const text = await response.text();
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
  if (response.status !== 200 || body.errors || !body.data) {
    throw new Error(`probe failed (${response.status}): ${text.slice(0, 500)}`);
  }
  const calls = fake.requests
    .filter((request) => request.path.startsWith('/api/v3/'))
    .map(({ path, query: params }) => (params.size > 0 ? `${path}?${params}` : path));
  fake.resetRequests();
  return calls;
}
