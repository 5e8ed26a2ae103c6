import { describe, expect, it } from 'vitest';
import { gqlRequest, useGateway } from '../helpers/gateway.js';
import { leakingLines, secretsOf } from '../helpers/log-leaks.js';

const QUERY = `query Mine($other: Int!) {
  refreshTokens(first: 30, orderBy: [{ field: PK, direction: DESC }]) {
    totalCount
    nodes { pk isExpired user { pk username } provider { pk name } }
  }
  someoneElses: refreshToken(pk: $other) { pk user { username } }
}`;

// A little upstream latency so that many requests are in flight at once; debug lines too, for
// the last test's check that none of them carries a credential.
const gateway = useGateway({
  fake: { latencyMs: 3 },
  env: { UPSTREAM_TIMEOUT_MS: '10000', LOG_LEVEL: 'debug' },
});

async function post(token: string, requestId: string, other: number) {
  const response = await fetch(`${gateway.url}/graphql`, {
    ...gqlRequest(QUERY, { other }, { token, headers: { 'x-request-id': requestId } }),
  });
  const body = (await response.json()) as { errors?: { path?: unknown[] }[] };
  // Errors come in the order fields resolved, which varies under load: compare them sorted.
  body.errors?.sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
  return { status: response.status, body };
}

describe('requests of different users, interleaved, never see each other’s data', () => {
  it('every answer equals what that user gets alone, and every upstream call carries its caller’s token', async () => {
    const { tokens } = gateway.fake;
    const callers = [
      tokens.admin,
      tokens.users.jsmith!,
      tokens.users.asmithson!,
      tokens.users.mgarcia!,
      tokens.users.dormant!,
      tokens.expired,
    ];
    const jsmithsToken = 1041; // whoever owns it, only the admin and its owner may read it
    const alone = new Map<string, unknown>();
    for (const token of callers) {
      alone.set(token, (await post(token, `alone-${callers.indexOf(token)}`, jsmithsToken)).body);
    }
    // Sanity: the users really see different things.
    expect(new Set([...alone.values()].map((body) => JSON.stringify(body))).size).toBe(
      callers.length,
    );

    gateway.fake.resetRequests();
    const tokenOf = new Map<string, string>();
    const total = 500;
    let next = 0;
    const mismatches: string[] = [];
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const token = callers[(i * 7 + Math.floor(i / 3)) % callers.length]!;
        const id = `iso-${i}`;
        tokenOf.set(id, token);
        const { status, body } = await post(token, id, jsmithsToken);
        if (status !== 200 || JSON.stringify(body) !== JSON.stringify(alone.get(token))) {
          mismatches.push(`${id}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(mismatches).toEqual([]);

    // (A call of an earlier request may still arrive: when a non-null root field fails,
    // graphql-js answers data: null at once while sibling resolvers run on.) Identical calls of
    // one caller in flight at once are shared, so there are fewer calls than requests; each
    // carries the id of the request that sent it, and that request's caller's token.
    const upstream = gateway.fake.requests.filter(
      (r) => r.path.startsWith('/api/v3/') && String(r.headers['x-request-id']).startsWith('iso-'),
    );
    expect(upstream.length).toBeGreaterThan(callers.length);
    const crossed = upstream.filter(
      (r) => r.authorization !== `Bearer ${tokenOf.get(String(r.headers['x-request-id']))}`,
    );
    expect(crossed).toEqual([]);
  });

  it('logged no credential while doing so', () => {
    expect(gateway.logs.length).toBeGreaterThan(500);
    expect(leakingLines(gateway.logs, secretsOf(gateway.fake))).toEqual([]);
  });
});
