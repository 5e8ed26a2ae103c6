import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, userTokenFor } from '../../src/fake-authentik/data.js';
import { codesOf, useGateway } from '../helpers/gateway.js';
import type { Kind } from './support.js';
import { ALL_KINDS, ACCESS, CODES, REFRESH, requestsTo, restGrants } from './support.js';

const REVOKE = `mutation ($input: RevokeOAuth2GrantsInput!) {
  revokeOAuth2Grants(input: $input) {
    dryRun matchedCount deletedCount alreadyGoneCount failures { id kind code message }
  }
}`;

interface Payload {
  dryRun: boolean;
  matchedCount: number;
  deletedCount: number;
  alreadyGoneCount: number;
  failures: { id: string; kind: string; code: string; message: string }[];
}

// This file deletes rows: it has its own fake, and each test revokes for a user no other test uses.
// Every log line, debug too: the audit test checks that none carries the caller's token.
const gw = useGateway({ env: { LOG_LEVEL: 'debug' } });

const rest = (kind: Kind, q: { user?: number; provider?: number; bearer?: string }) =>
  restGrants(gw, kind, q);
const grantsOfUser = (user: number) => ALL_KINDS.flatMap((kind) => rest(kind, { user }));
const deletes = () => gw.fake.requests.filter((r) => r.method === 'DELETE');
const globalId = (typename: string, pk: number) =>
  Buffer.from(`${typename}:${pk}`).toString('base64url');

async function revoke(input: Record<string, unknown>, token = ADMIN_TOKEN) {
  gw.fake.resetRequests();
  return gw.gql<{ revokeOAuth2Grants: Payload }>(REVOKE, { input }, { token });
}

describe('revokeOAuth2Grants for a user across all kinds', () => {
  it('deletes every grant of the user, one DELETE each; REST shows none left; a second call finds nothing', async () => {
    const before = ALL_KINDS.map((kind) => rest(kind, { user: 9 }).length);
    for (const count of before) expect(count).toBeGreaterThan(0);
    const others = restGrants(gw, ACCESS, {}).length - before[1]!;
    const total = before.reduce((a, b) => a + b, 0);

    const result = await revoke({ userPk: 9 });
    expect(result.errors).toBeUndefined();
    expect(result.data!.revokeOAuth2Grants).toEqual({
      dryRun: false,
      matchedCount: total,
      deletedCount: total,
      alreadyGoneCount: 0,
      failures: [],
    });
    expect(deletes()).toHaveLength(total);
    for (const kind of ALL_KINDS) {
      expect(rest(kind, { user: 9 })).toEqual([]);
      // One list call per kind (the lists are short), filtered by authentik.
      const lists = requestsTo(gw, 'GET', `/api/v3/oauth2/${kind.segment}/`).filter(
        (r) => r.path === `/api/v3/oauth2/${kind.segment}/`,
      );
      expect(lists.map((r) => r.query.get('user'))).toEqual(['9']);
    }
    expect(restGrants(gw, ACCESS, {}).length).toBe(others);

    const again = await revoke({ userPk: 9 });
    expect(again.data!.revokeOAuth2Grants).toMatchObject({ matchedCount: 0, deletedCount: 0 });
    expect(deletes()).toHaveLength(0);
  });

  it('is logged with the request id and counts only, and counted in /metrics', async () => {
    const total = grantsOfUser(58).length;
    expect(total).toBeGreaterThan(0);
    gw.logs.length = 0;
    const result = await gw.gql<{ revokeOAuth2Grants: Payload }>(
      REVOKE,
      { input: { userPk: 58, kinds: ALL_KINDS.map((kind) => kind.enumValue).reverse() } },
      { headers: { 'x-request-id': 'incident-42' } },
    );
    expect(result.data!.revokeOAuth2Grants.deletedCount).toBe(total);
    const lines = gw.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const audit = lines.filter((line) => line.msg === 'audit');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      requestId: 'incident-42',
      mutation: 'revokeOAuth2Grants',
      target: { userPk: 58 },
      outcome: 'deleted',
    });
    const counts = Object.values(audit[0]!.counts as Record<string, { deleted: number }>);
    expect(counts.reduce((sum, kind) => sum + kind.deleted, 0)).toBe(total);
    expect(gw.logs.join('\n')).not.toContain(ADMIN_TOKEN);
    const metrics = await (await gw.app.yoga.fetch('http://gw/metrics')).text();
    const deleted = [
      ...metrics.matchAll(
        /gateway_oauth2_grants_revoked_total\{kind="(\w+)",outcome="deleted"\} (\d+)/g,
      ),
    ];
    expect(deleted.length).toBeGreaterThan(0);
  });
});

describe('dryRun', () => {
  it('lists and counts, deletes nothing', async () => {
    const before = grantsOfUser(15);
    const result = await revoke({ userPk: 15, dryRun: true });
    expect(result.data!.revokeOAuth2Grants).toEqual({
      dryRun: true,
      matchedCount: before.length,
      deletedCount: 0,
      alreadyGoneCount: 0,
      failures: [],
    });
    expect(deletes()).toHaveLength(0);
    expect(grantsOfUser(15)).toEqual(before);
  });

  it.each<
    [string, Record<string, unknown>, (k: Kind) => { user?: number; provider?: number }, Kind[]]
  >([
    ['a provider', { providerPk: 12 }, () => ({ provider: 12 }), ALL_KINDS],
    [
      'a user at a provider',
      { userPk: 42, providerPk: 5 },
      () => ({ user: 42, provider: 5 }),
      ALL_KINDS,
    ],
    ['one kind', { userPk: 42, kinds: ['AUTHORIZATION_CODE'] }, () => ({ user: 42 }), [CODES]],
  ])('matches exactly what REST lists for %s', async (_name, input, query, kinds) => {
    const expected = kinds.flatMap((kind) => rest(kind, query(kind))).length;
    expect(expected).toBeGreaterThan(0);
    const result = await revoke({ ...input, dryRun: true });
    expect(result.data!.revokeOAuth2Grants.matchedCount).toBe(expected);
    expect(deletes()).toHaveLength(0);
  });
});

describe('partial failure, then a re-run finishes the job', () => {
  it('reports 5xx, reset and 403 per grant, counts a 404 as already gone, never retries a DELETE', async () => {
    const refresh = rest(REFRESH, { user: 16 });
    const access = rest(ACCESS, { user: 16 });
    expect(refresh.length).toBeGreaterThanOrEqual(2);
    expect(access.length).toBeGreaterThanOrEqual(2);
    const total = grantsOfUser(16).length;
    const path = (kind: Kind, pk: number) => `/api/v3/oauth2/${kind.segment}/${pk}/`;
    const failing = [
      {
        kind: REFRESH,
        pk: refresh[0]!.pk,
        fault: { mode: 'html500' as const },
        code: 'UPSTREAM_ERROR',
      },
      {
        kind: ACCESS,
        pk: access[0]!.pk,
        fault: { mode: 'reset' as const },
        code: 'UPSTREAM_ERROR',
      },
      {
        kind: ACCESS,
        pk: access[1]!.pk,
        fault: {
          mode: 'status' as const,
          status: 403,
          body: '{"detail":"You do not have permission to perform this action."}',
        },
        code: 'FORBIDDEN',
      },
    ];
    for (const { kind, pk, fault } of failing)
      gw.fake.fault({ ...fault, times: 1, pathPrefix: path(kind, pk) });
    // A grant that vanished between the list and its DELETE (a code used, a token expired).
    const gone = refresh[1]!.pk;
    gw.fake.fault({
      mode: 'status',
      status: 404,
      body: '{"detail":"Not found."}',
      times: 1,
      pathPrefix: path(REFRESH, gone),
    });

    const first = await revoke({ userPk: 16 });
    expect(first.errors).toBeUndefined();
    const payload = first.data!.revokeOAuth2Grants;
    expect(payload).toMatchObject({
      matchedCount: total,
      deletedCount: total - 4,
      alreadyGoneCount: 1,
    });
    expect(payload.failures.map((f) => [f.id, f.kind, f.code]).sort()).toEqual(
      failing
        .map(({ kind, pk, code }) => [globalId(kind.typename, pk), kind.enumValue, code])
        .sort(),
    );
    for (const failure of payload.failures) expect(failure.message).not.toContain('http');
    // One DELETE per grant: none retried, not even after a reset.
    expect(deletes()).toHaveLength(total);
    expect(new Set(deletes().map((r) => r.path)).size).toBe(total);
    // The failed ones are left, plus the one the fake only pretended was gone.
    expect(
      grantsOfUser(16)
        .map((g) => g.pk)
        .sort(),
    ).toEqual([...failing.map((f) => f.pk), gone].sort());

    const second = await revoke({ userPk: 16 });
    expect(second.data!.revokeOAuth2Grants).toEqual({
      dryRun: false,
      matchedCount: 4,
      deletedCount: 4,
      alreadyGoneCount: 0,
      failures: [],
    });
    expect(grantsOfUser(16)).toEqual([]);
  });
});

describe('a non-superuser only ever matches their own grants', () => {
  const cokafor = userTokenFor('cokafor');

  it('their own user: matched = what REST shows them; deleting needs authentik permission (FORBIDDEN each)', async () => {
    const own = ALL_KINDS.flatMap((kind) => rest(kind, { bearer: cokafor }));
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((g) => g.user.pk === 31)).toBe(true);
    const result = await revoke({ providerPk: 3, dryRun: true }, cokafor);
    const atGrafana = own.filter((g) => g.provider.pk === 3).length;
    expect(result.data!.revokeOAuth2Grants.matchedCount).toBe(atGrafana);
    // Other users' grants at Grafana exist, but are not theirs.
    expect(ALL_KINDS.flatMap((kind) => rest(kind, { provider: 3 })).length).toBeGreaterThan(
      atGrafana,
    );

    const real = await revoke({ userPk: 31 }, cokafor);
    const payload = real.data!.revokeOAuth2Grants;
    expect(payload.matchedCount).toBe(own.length);
    expect(payload.deletedCount).toBe(0);
    expect(payload.failures.map((f) => f.code)).toEqual(own.map(() => 'FORBIDDEN'));
    expect(ALL_KINDS.flatMap((kind) => rest(kind, { bearer: cokafor }))).toHaveLength(own.length);
  });

  it("another user's pk matches nothing for them", async () => {
    const result = await revoke({ userPk: 23 }, cokafor);
    expect(result.data!.revokeOAuth2Grants.matchedCount).toBe(0);
    expect(deletes()).toHaveLength(0);
  });
});

describe('refused before any call', () => {
  it.each<[string, Record<string, unknown>]>([
    ['no userPk nor providerPk', {}],
    ['only kinds', { kinds: ['ACCESS_TOKEN'] }],
    ['userPk: 0', { userPk: 0 }],
    ['providerPk: -5', { providerPk: -5 }],
    ['an empty kinds list', { userPk: 7, kinds: [] }],
  ])('%s is BAD_USER_INPUT', async (_name, input) => {
    const result = await revoke(input);
    expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
    expect(gw.apiCalls()).toBe(0);
  });
});

describe('MAX_REVOKE', () => {
  const limited = useGateway({ env: { MAX_REVOKE: '10' } });

  it('a larger match is LIMIT_EXCEEDED after one list call per kind, before any DELETE', async () => {
    const total = ALL_KINDS.flatMap((kind) => restGrants(limited, kind, { user: 7 })).length;
    expect(total).toBeGreaterThan(10);
    limited.fake.resetRequests();
    const result = await limited.gql(REVOKE, { input: { userPk: 7 } });
    expect(codesOf(result.errors)).toEqual(['LIMIT_EXCEEDED']);
    expect(result.errors![0]!.extensions).toMatchObject({
      limit: 'MAX_REVOKE',
      max: 10,
      found: total,
    });
    expect(limited.fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    // One list call per kind.
    expect(limited.fake.requests.filter((r) => r.path.startsWith('/api/v3/'))).toHaveLength(
      ALL_KINDS.length,
    );
  });

  it('a match within it goes through', async () => {
    const codes = restGrants(limited, CODES, { user: 7 }).length;
    expect(codes).toBeGreaterThan(0);
    expect(codes).toBeLessThanOrEqual(10);
    const result = await limited.gql<{ revokeOAuth2Grants: Payload }>(REVOKE, {
      input: { userPk: 7, kinds: ['AUTHORIZATION_CODE'] },
    });
    expect(result.data!.revokeOAuth2Grants.deletedCount).toBe(codes);
  });
});

describe('MAX_COST does not bound the DELETEs (MAX_REVOKE does)', () => {
  const cheap = useGateway({ env: { MAX_COST: '4' } });

  it('a revoke deletes more grants than the operation budget of calls', async () => {
    const total = ALL_KINDS.flatMap((kind) => restGrants(cheap, kind, { user: 42 })).length;
    expect(total).toBeGreaterThan(4);
    const result = await cheap.gql<{ revokeOAuth2Grants: Payload }>(REVOKE, {
      input: { userPk: 42 },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.revokeOAuth2Grants.deletedCount).toBe(total);
  });
});

describe('at most 4 DELETEs in flight', () => {
  it('the fake never sees more than 4 at once, and sees 4 when there is work for them', async () => {
    const total = grantsOfUser(23).length;
    expect(total).toBeGreaterThan(8);
    // Every DELETE (pk paths only, not the lists) is held a moment, so that the client's
    // concurrency shows at the fake.
    for (const kind of ALL_KINDS) {
      gw.fake.fault({
        mode: 'slowHeaders',
        delayMs: 40,
        pathPrefix: `/api/v3/oauth2/${kind.segment}/1`,
      });
    }
    try {
      const result = await revoke({ userPk: 23 });
      expect(result.data!.revokeOAuth2Grants.deletedCount).toBe(total);
      expect(gw.fake.maxInFlight('DELETE')).toBe(4);
    } finally {
      gw.fake.clearFaults();
    }
  });
});
