import { describe, expect, it } from 'vitest';
import type { GraphQLFormattedError } from 'graphql';
import type { ServedToken } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { codesOf, useGateway } from '../helpers/gateway.js';
import { JSMITH, MGARCIA, distinct, globalId, restTokens } from './support.js';

interface Answer {
  refreshTokens: {
    totalCount: number;
    nodes: { pk: number; user: { pk: number; username: string }; provider: { pk: number } }[];
  };
  other: { pk: number; user: { username: string } } | null;
  otherNode: { id: string } | null;
  otherUser: { username: string } | null;
}

/**
 * Lists the caller's first 100 tokens and asks for the other caller's token (by lookup and by
 * node) and user: things the other caller's concurrent request has just seen.
 */
const operation = (otherTokenPk: number, otherUserPk: number) => `{
  refreshTokens(first: 100, orderBy: [{ field: PK }]) {
    totalCount nodes { pk user { pk username } provider { pk } } }
  other: refreshToken(pk: ${otherTokenPk}) { pk user { username } }
  otherNode: node(id: "${globalId('RefreshToken', otherTokenPk)}") { id }
  otherUser: node(id: "${globalId('User', otherUserPk)}") { ... on User { username } }
}`;

// A little latency so that the two callers' upstream calls overlap.
const gw = useGateway({ fake: { latencyMs: 3 } });

interface Caller {
  name: string;
  bearer: string;
  admin: boolean;
}

const ADMIN: Caller = { name: 'admin', bearer: ADMIN_TOKEN, admin: true };
const JSMITH_CALLER: Caller = { name: 'jsmith', bearer: JSMITH, admin: false };
const MGARCIA_CALLER: Caller = { name: 'mgarcia', bearer: MGARCIA, admin: false };

const restCache = new Map<string, ServedToken[]>();
/** Every token the caller may see, by pk, as REST serves it (computed once per caller). */
function visibleTo(caller: Caller): ServedToken[] {
  let tokens = restCache.get(caller.bearer);
  if (!tokens) restCache.set(caller.bearer, (tokens = restTokens(gw, { bearer: caller.bearer })));
  return tokens;
}

/** The caller's first page (what the operation lists), as REST serves it. */
const firstPage = (caller: Caller) => visibleTo(caller).slice(0, 100);

/**
 * A token on the other caller's first page (so the other's request has it in hand). An ordinary
 * caller may not see it; the admin may, and gets one that is not on its own first page but whose
 * user is (so the calls it costs are known).
 */
function probeFor(caller: Caller, other: Caller): ServedToken {
  const mine = new Set(visibleTo(caller).map((t) => t.pk));
  const ownPage = firstPage(caller);
  const otherPage = firstPage(other);
  const probe = (caller.admin ? visibleTo(other) : otherPage).find((t) =>
    caller.admin
      ? !ownPage.some((a) => a.pk === t.pk) && ownPage.some((a) => a.user.pk === t.user.pk)
      : !mine.has(t.pk),
  );
  if (!probe) throw new Error(`no probe for ${caller.name} against ${other.name}`);
  return probe;
}

/** Upstream calls one request of `caller` costs: list, token lookup, user node. */
function callsPerRequest(caller: Caller): number {
  // Ordinary callers: the token lookup is a 404 and the user a 403. Admin: the token is fetched,
  // the user was on the page.
  return caller.admin ? 2 : 3;
}

describe('two concurrent callers', () => {
  it.each([
    ['admin and jsmith', ADMIN, JSMITH_CALLER],
    ['jsmith and mgarcia', JSMITH_CALLER, MGARCIA_CALLER],
    ['mgarcia and admin', MGARCIA_CALLER, ADMIN],
  ])('%s never see each other’s objects', async (_name, one, two) => {
    const plan = [
      { caller: one, probe: probeFor(one, two) },
      { caller: two, probe: probeFor(two, one) },
    ];

    gw.fake.resetRequests();
    const rounds = 8;
    const runs = await Promise.all(
      Array.from({ length: rounds }, () => plan)
        .flat()
        .map(async ({ caller, probe }) => ({
          caller,
          probe,
          result: await gw.gql<Answer>(operation(probe.pk, probe.user.pk as number), undefined, {
            token: caller.bearer,
          }),
        })),
    );

    for (const { caller, probe, result } of runs) {
      const own = visibleTo(caller);
      const data = result.data!;
      expect(data.refreshTokens.totalCount).toBe(own.length);
      expect(data.refreshTokens.nodes.map((t) => t.pk)).toEqual(own.slice(0, 100).map((t) => t.pk));
      if (!caller.admin) {
        expect(distinct(data.refreshTokens.nodes.map((t) => t.user.username))).toEqual([
          caller.name,
        ]);
      }
      const errors: readonly GraphQLFormattedError[] = result.errors ?? [];
      if (caller.admin) {
        expect(errors).toEqual([]);
        expect(data.other).toEqual({ pk: probe.pk, user: { username: probe.user.username } });
        expect(data.otherNode).toEqual({ id: globalId('RefreshToken', probe.pk) });
        expect(data.otherUser).toEqual({ username: probe.user.username });
      } else {
        // Ordinary users may not read another's token, nor users at all.
        expect(data.other).toBeNull();
        expect(data.otherNode).toBeNull();
        expect(data.otherUser).toBeNull();
        expect(codesOf(errors)).toEqual(['FORBIDDEN']);
        expect(errors[0]?.path).toEqual(['otherUser']);
      }
    }

    // Every upstream call carried one caller's credentials. Identical calls of the same caller in
    // flight at once may be shared (never across callers), so each caller's calls are the ones one
    // request needs, made at least once and at most once per request.
    const calls = gw.upstreamCalls();
    for (const { caller } of plan) {
      const mine = calls.filter((c) => c.authorization === `Bearer ${caller.bearer}`);
      expect(distinct(mine.map((c) => c.path))).toHaveLength(callsPerRequest(caller));
      expect(mine.length).toBeLessThanOrEqual(rounds * callsPerRequest(caller));
    }
    expect(
      calls.filter(
        (c) => !plan.some(({ caller }) => c.authorization === `Bearer ${caller.bearer}`),
      ),
    ).toEqual([]);
  });
});
