/**
 * The bench's floor (bench/floor-proxy.ts) must do the gateway's job for the bench queries (both
 * connection shapes): the same upstream call with the caller's token, and the same answer. No timing here: `npm run bench`
 * measures, this only keeps the comparison honest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFloorProxy } from '../../bench/floor-proxy.js';
import type { FloorProxy } from '../../bench/floor-proxy.js';
import { QUERIES } from '../../bench/scenarios.js';
import { useGateway } from '../helpers/gateway.js';

const gateway = useGateway({ fake: { extraAdminTokens: 2 } });
let floor: FloorProxy;
beforeAll(async () => {
  floor = await startFloorProxy({ upstreamUrl: gateway.fake.url });
});
afterAll(() => floor.close());

// Cursors are opaque and tied to the issuer's query fingerprint: compare everything else.
function withoutCursors(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body), (key, value: unknown) =>
    key === 'cursor' || key === 'endCursor' ? typeof value : value,
  );
}

async function askFloor(token: string, query = QUERIES.nodes) {
  const response = await fetch(floor.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('the floor proxy and the gateway, for the bench query', () => {
  it.each(['demo-admin-token-1', 'demo-admin-token-2'])(
    'make the same upstream call with %s',
    async (token) => {
      gateway.fake.resetRequests();
      await gateway.gql(QUERIES.nodes, undefined, { token });
      const byGateway = gateway.upstreamCalls();
      gateway.fake.resetRequests();
      await askFloor(token);
      const byFloor = gateway.upstreamCalls();
      const asText = (calls: typeof byGateway) =>
        calls.map((call) => `${call.authorization} ${call.path}?${call.query}`);
      expect(byGateway).toHaveLength(1);
      expect(asText(byFloor)).toEqual(asText(byGateway));
    },
  );

  it.each(['nodes', 'edges'] as const)('answer the same data in the `%s` shape', async (shape) => {
    const token = 'demo-admin-token-1';
    const viaGateway = await gateway.gql(QUERIES[shape], undefined, { token });
    const viaFloor = await askFloor(token, QUERIES[shape]);
    expect(viaGateway.errors).toBeUndefined();
    expect(viaFloor.status).toBe(200);
    expect(withoutCursors(viaFloor.body)).toEqual(withoutCursors({ data: viaGateway.data }));
    expect(JSON.stringify(viaFloor.body)).toContain('"endCursor":"');
  });

  it('passes an upstream refusal on as an error', async () => {
    const answer = await askFloor('not-a-token');
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({ errors: [{ message: 'authentik answered 403' }] });
  });
});
