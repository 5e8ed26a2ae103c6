import { loadConfig } from '../../src/config.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import type { FakeAuthentikOptions, GrantKind } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { expectedGrants } from '../fake-authentik/expected.js';
import { codesOf, useGateway } from '../helpers/gateway.js';
import { grantMatchesSearch } from '../helpers/connections.js';

// MAX_COST under default settings: every gateway here runs with the defaults.
const MAX_COST = loadConfig({}).operationLimits.maxCost;

interface Tenant {
  name: string;
  fake: FakeAuthentikOptions;
  /** The most rows the tenant serves a page. */
  pageSize: number;
}

const TENANTS: Tenant[] = [
  { name: 'small (300 tokens)', fake: {}, pageSize: 100 },
  {
    name: 'large (6000 tokens)',
    fake: { tokenCount: 6000, accessTokenCount: 3000, authorizationCodeCount: 300 },
    pageSize: 100,
  },
  {
    name: 'page-clamped (1500 tokens, 25 a page)',
    fake: { tokenCount: 1500, accessTokenCount: 500, maxPageSize: 25 },
    pageSize: 25,
  },
];

/** An independent count of what an operation needs, from the tenant's own data. */
interface Oracle {
  fake: FakeAuthentik;
  pageSize: number;
}

// What authentik lists for the admin, by kind, user and the default order.
function grants(o: Oracle, kind: GrantKind, user?: number) {
  return expectedGrants(
    o.fake,
    { bearer: ADMIN_TOKEN, ordering: 'provider,expires,pk', user },
    kind,
  );
}
const pages = (o: Oracle, rows: number) => Math.max(1, Math.ceil(rows / o.pageSize));
const usersOfFirst = (o: Oracle, rows: number) => [
  ...new Set(
    grants(o, 'refresh_tokens')
      .slice(0, rows)
      .map((t) => Number(t.user.pk)),
  ),
];
const scanOfUser = (o: Oracle, kind: GrantKind, user: number) =>
  pages(o, grants(o, kind, user).length);

interface Operation {
  name: string;
  query: string;
  /** Calls the operation needs: one per page each of its lists reads. */
  need(o: Oracle): number;
  /** Calls made before the need is known: the first page of each list that must say it. */
  spentWhenRefused(o: Oracle): number;
}

const ALIASES = Array.from(
  { length: 14 },
  (_, i) => `l${i + 1}: refreshTokens(first: ${i + 1}) { totalCount }`,
).join(' ');

const OPERATIONS: Operation[] = [
  {
    name: "README's 5-row page with each user's unrevoked count",
    query:
      '{ refreshTokens(first: 5) { nodes { user { username refreshTokens(first: 3, filter: { revoked: false }) { totalCount } } } } }',
    need: (o) =>
      1 + usersOfFirst(o, 5).reduce((sum, user) => sum + scanOfUser(o, 'refresh_tokens', user), 0),
    spentWhenRefused: (o) => 1 + usersOfFirst(o, 5).length,
  },
  {
    name: 'a dashboard: three filtered or searched counts',
    query: `{
      active: refreshTokens(first: 5, filter: { revoked: false, isExpired: false }) { totalCount }
      expired: refreshTokens(first: 5, filter: { isExpired: true }) { totalCount }
      grafana: refreshTokens(first: 5, search: "grafana") { totalCount }
    }`,
    need: (o) => 3 * pages(o, grants(o, 'refresh_tokens').length),
    spentWhenRefused: () => 3,
  },
  {
    name: 'a 20-row page with filtered counts of every grant kind per user',
    query: `{ refreshTokens(first: 20) { nodes { pk user { username
      refreshTokens(first: 3, filter: { revoked: false }) { totalCount }
      accessTokens(first: 3, filter: { isExpired: false }) { totalCount }
      authorizationCodes(first: 3, filter: { isExpired: false }) { totalCount }
    } } } }`,
    need: (o) =>
      1 +
      usersOfFirst(o, 20).reduce(
        (sum, user) =>
          sum +
          scanOfUser(o, 'refresh_tokens', user) +
          scanOfUser(o, 'access_tokens', user) +
          scanOfUser(o, 'authorization_codes', user),
        0,
      ),
    spentWhenRefused: (o) => 1 + 3 * usersOfFirst(o, 20).length,
  },
  {
    name: 'a 100-row page with 14 connections per user',
    query: `{ refreshTokens(first: 100) { nodes { user { ${ALIASES} } } } }`,
    need: (o) => pages(o, 100) + 14 * usersOfFirst(o, 100).length,
    // The users' 14 connections are refused together, before any of them is read.
    spentWhenRefused: (o) => pages(o, 100),
  },
];

describe.each(TENANTS)('MAX_COST on a $name tenant, default settings', (tenant) => {
  const gw = useGateway({ fake: tenant.fake });
  let oracle: Oracle;
  beforeAll(() => {
    oracle = { fake: gw.fake, pageSize: tenant.pageSize };
  });

  it('has operations that fit and operations that do not (the cases below show both)', () => {
    const needs = OPERATIONS.map((operation) => operation.need(oracle));
    expect(needs.some((need) => need <= MAX_COST)).toBe(true);
    expect(needs.some((need) => need > MAX_COST)).toBe(true);
  });

  it.each(OPERATIONS)(
    '$name: runs if it needs at most MAX_COST calls, else is refused early',
    async (operation) => {
      const need = operation.need(oracle);
      gw.fake.resetRequests();
      const result = await gw.gql(operation.query);
      const calls = gw.upstreamCalls().length;
      if (need <= MAX_COST) {
        expect(result.errors).toBeUndefined();
        // Lists of one operation that read the same page at once share the call.
        expect(calls).toBeLessThanOrEqual(need);
        return;
      }
      // Refused as soon as authentik's answers showed the need: every field that needed the
      // budget fails with the need it showed, and no list comes back half read.
      expect(result.data ?? null).toBeNull();
      expect(result.errors!.length).toBeGreaterThan(0);
      expect(new Set(codesOf(result))).toEqual(new Set(['LIMIT_EXCEEDED']));
      for (const error of result.errors!) {
        expect(error.extensions).toMatchObject({ limit: 'MAX_COST', max: MAX_COST, found: need });
      }
      expect(calls).toBeLessThanOrEqual(operation.spentWhenRefused(oracle));
    },
  );
});

describe('the counts a dashboard gets are right', () => {
  const gw = useGateway({ fake: { tokenCount: 1000, accessTokenCount: 500 } });

  it('three filtered or searched counts over 1,000 tokens, about ten calls each', async () => {
    const tokens = expectedGrants(
      gw.fake,
      { bearer: ADMIN_TOKEN, ordering: 'pk' },
      'refresh_tokens',
    );
    gw.fake.resetRequests();
    const result = await gw.gql<Record<string, { totalCount: number }>>(OPERATIONS[1]!.query);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      active: { totalCount: tokens.filter((t) => !t.revoked && !t.is_expired).length },
      expired: { totalCount: tokens.filter((t) => t.is_expired).length },
      grafana: { totalCount: tokens.filter((t) => grantMatchesSearch(t, ['grafana'])).length },
    });
    expect(gw.upstreamCalls().length).toBeLessThanOrEqual(30);
  });
});
