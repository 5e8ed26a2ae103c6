import { describe, expect, it } from 'vitest';
import { userTokenFor } from '../../src/fake-authentik/data.js';
import { codesOf, useGateway } from '../helpers/gateway.js';
import type { GrantVars, Kind } from './support.js';
import {
  ALL_KINDS,
  ACCESS,
  CODES,
  REFRESH,
  grantPage,
  grantQuery,
  listPath,
  restGrants,
  walkGrants,
} from './support.js';
import { grantMatchesSearch } from '../helpers/connections.js';

const JSMITH = userTokenFor('jsmith');
const NEW_KINDS = [ACCESS, CODES];

// Read-only: every test here leaves the fake as it found it.
const gw = useGateway();

const pks = (rows: { pk: number }[]) => rows.map((row) => row.pk);

describe.each(NEW_KINDS)('$listField pages, orders and filters like refreshTokens', (kind) => {
  it('the fake has rows of this kind to page through', () => {
    expect(restGrants(gw, kind).length).toBeGreaterThan(kind === CODES ? 10 : 100);
  });

  it.each<[string, GrantVars['orderBy'], string]>([
    ["authentik's default", null, 'provider,expires,pk'],
    ['expires descending', [{ field: 'EXPIRES', direction: 'DESC' }], '-expires,pk'],
    [
      'user, then pk descending',
      [{ field: 'USER' }, { field: 'PK', direction: 'DESC' }],
      'user,-pk',
    ],
  ])('a forward walk in %s order equals REST (ordering=%s)', async (_name, orderBy, ordering) => {
    expect(await walkGrants(gw, kind, { orderBy }, 7)).toEqual(
      pks(restGrants(gw, kind, { ordering })),
    );
  });

  it('one window of 20 costs one list call to its own endpoint, with the pk tie-breaker', async () => {
    gw.fake.resetRequests();
    const page = await grantPage(
      gw,
      kind,
      { first: 5, orderBy: [{ field: 'EXPIRES' }] },
      {
        withCount: true,
      },
    );
    const calls = gw.upstreamCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe(listPath(kind));
    expect(calls[0]!.query.get('ordering')).toBe('expires,pk');
    const rest = restGrants(gw, kind, { ordering: 'expires,pk' });
    expect(page.totalCount).toBe(rest.length);
    expect(pks(page.nodes)).toEqual(pks(rest).slice(0, 5));
  });

  it('last: 5 gives the tail of the list', async () => {
    const page = await grantPage(gw, kind, { last: 5, orderBy: [{ field: 'PK' }] });
    expect(pks(page.nodes)).toEqual(pks(restGrants(gw, kind)).slice(-5));
    expect(page.pageInfo.hasPreviousPage).toBe(true);
  });

  it.each<[string, GrantVars]>([
    ['search "smith"', { search: 'smith' }],
    ['search "grafana openid"', { search: 'grafana openid' }],
    ['isExpired: false', { filter: { isExpired: false } }],
    ['providerPk: 5 and isExpired: true', { filter: { providerPk: 5, isExpired: true } }],
    ['userPk: 23 and search "gitlab"', { filter: { userPk: 23 }, search: 'gitlab' }],
  ])('%s selects what REST shows, with totalCount', async (_name, vars) => {
    const filter = vars.filter ?? {};
    const terms = (vars.search ?? '').split(' ').filter(Boolean);
    const expected = restGrants(gw, kind, {
      ordering: 'provider,expires,pk',
      user: (filter.userPk as number | undefined) ?? undefined,
      provider: (filter.providerPk as number | undefined) ?? undefined,
    }).filter(
      (g) =>
        (filter.isExpired == null || g.is_expired === filter.isExpired) &&
        grantMatchesSearch(g, terms),
    );
    expect(expected.length).toBeGreaterThan(0);
    const page = await grantPage(gw, kind, { ...vars, first: 100 }, { withCount: true });
    expect(page.totalCount).toBe(expected.length);
    expect(pks(page.nodes)).toEqual(pks(expected).slice(0, 100));
    expect(await walkGrants(gw, kind, vars, 3)).toEqual(pks(expected));
  });

  it('a non-superuser sees only their own', async () => {
    const own = restGrants(gw, kind, { bearer: JSMITH });
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((g) => g.user.username === 'jsmith')).toBe(true);
    const page = await grantPage(
      gw,
      kind,
      { first: 100, orderBy: [{ field: 'PK' }] },
      {
        withCount: true,
        token: JSMITH,
      },
    );
    expect(page.totalCount).toBe(own.length);
    expect(pks(page.nodes)).toEqual(pks(own).slice(0, 100));
  });

  it.each<[string, string]>([
    ['User', `user(id: 15)`],
    ['OAuth2Provider', `provider(id: 3)`],
  ])('%s.%s equals REST with the filter fixed by the parent', async (parent) => {
    const query =
      parent === 'User'
        ? `{ node(id: "${Buffer.from('User:15').toString('base64url')}") { ... on User { ${kind.listField}(first: 100, orderBy: [{ field: PK }]) { totalCount nodes { pk user { pk } } } } } }`
        : `{ node(id: "${Buffer.from('OAuth2Provider:3').toString('base64url')}") { ... on OAuth2Provider { ${kind.listField}(first: 100, orderBy: [{ field: PK }]) { totalCount nodes { pk provider { pk } } } } } }`;
    const result = await gw.gql<{
      node: Record<string, { totalCount: number; nodes: { pk: number }[] }>;
    }>(query);
    expect(result.errors).toBeUndefined();
    const connection = result.data!.node[kind.listField]!;
    const rest = restGrants(gw, kind, parent === 'User' ? { user: 15 } : { provider: 3 });
    expect(rest.length).toBeGreaterThan(0);
    expect(connection.totalCount).toBe(rest.length);
    expect(pks(connection.nodes)).toEqual(pks(rest));
  });

  it.each<[string, GrantVars]>([
    ['filter.userPk: 0', { filter: { userPk: 0 } }],
    ['filter.providerPk: -3', { filter: { providerPk: -3 } }],
    ['first: 101', { first: 101 }],
  ])('%s is BAD_USER_INPUT with no upstream call', async (_name, vars) => {
    gw.fake.resetRequests();
    const result = await gw.gql(grantQuery(kind, 'nodes { pk }'), vars as Record<string, unknown>);
    expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
    expect(gw.upstreamCalls()).toHaveLength(0);
  });
});

describe('authorization codes have no idToken and no revoked', () => {
  it.each([
    ['{ authorizationCodes(filter: { revoked: false }) { nodes { pk } } }'],
    ['{ authorizationCodes(orderBy: [{ field: REVOKED }]) { nodes { pk } } }'],
    ['{ authorizationCodes { nodes { pk idToken } } }'],
  ])('%s is refused by validation', async (query) => {
    const result = await gw.gql(query);
    expect(codesOf(result.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('an access token has them, as REST serves them', async () => {
    const rest = restGrants(gw, ACCESS)[0]!;
    const result = await gw.gql<{ accessToken: { idToken: string; revoked: boolean } }>(
      `{ accessToken(pk: ${rest.pk}) { idToken revoked } }`,
    );
    expect(result.data?.accessToken).toEqual({ idToken: rest.id_token, revoked: rest.revoked });
  });
});

describe('lookups, node ids and the OAuth2Grant interface', () => {
  it('pks overlap between kinds (own tables): each lookup reads its own endpoint', async () => {
    const pk = 1041;
    gw.fake.resetRequests();
    const result = await gw.gql<Record<string, { user: { pk: number }; provider: { pk: number } }>>(
      `{ r: refreshToken(pk: ${pk}) { user { pk } provider { pk } }
         a: accessToken(pk: ${pk}) { user { pk } provider { pk } }
         c: authorizationCode(pk: ${pk}) { user { pk } provider { pk } } }`,
    );
    expect(result.errors).toBeUndefined();
    for (const [alias, kind] of [
      ['r', REFRESH],
      ['a', ACCESS],
      ['c', CODES],
    ] as const) {
      const rest = restGrants(gw, kind).find((g) => g.pk === pk)!;
      expect(result.data![alias]).toEqual({
        user: { pk: rest.user.pk },
        provider: { pk: rest.provider.pk },
      });
    }
    expect(
      gw
        .upstreamCalls()
        .map((c) => c.path)
        .sort(),
    ).toEqual([
      '/api/v3/oauth2/access_tokens/1041/',
      '/api/v3/oauth2/authorization_codes/1041/',
      '/api/v3/oauth2/refresh_tokens/1041/',
    ]);
  });

  it.each(NEW_KINDS)(
    '$lookupField of a grant listed in the same operation costs no call',
    async (kind) => {
      const pk = restGrants(gw, kind, { ordering: 'pk' })[2]!.pk;
      gw.fake.resetRequests();
      const result = await gw.gql<Record<string, unknown>>(
        `{ ${kind.listField}(first: 5, orderBy: [{ field: PK }]) { nodes { pk } }
         one: ${kind.lookupField}(pk: ${pk}) { pk }
         missing: ${kind.lookupField}(pk: 999999) { pk } }`,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.one).toEqual({ pk });
      expect(result.data!.missing).toBeNull();
      expect(gw.upstreamCalls().map((c) => c.path)).toEqual([
        listPath(kind),
        `${listPath(kind)}999999/`,
      ]);
    },
  );

  it.each(NEW_KINDS)('$lookupField(pk: 0) is BAD_USER_INPUT with no call', async (kind) => {
    gw.fake.resetRequests();
    const result = await gw.gql(`{ ${kind.lookupField}(pk: 0) { pk } }`);
    expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
    expect(gw.upstreamCalls()).toHaveLength(0);
  });

  it.each(NEW_KINDS)('$typename ids are Relay Node ids: node(id:) fetches one', async (kind) => {
    const rest = restGrants(gw, kind)[4]!;
    const id = Buffer.from(`${kind.typename}:${rest.pk}`).toString('base64url');
    const result = await gw.gql<{
      node: { __typename: string; id: string; pk: number; expires: string | null };
    }>(`{ node(id: "${id}") { __typename id ... on OAuth2Grant { pk expires } } }`);
    expect(result.data?.node).toEqual({
      __typename: kind.typename,
      id,
      pk: rest.pk,
      expires: rest.expires,
    });
  });

  it.each(ALL_KINDS)(
    'node(id:) of a $typename with pk 0 is BAD_USER_INPUT, with no call',
    async (kind) => {
      gw.fake.resetRequests();
      const id = Buffer.from(`${kind.typename}:0`).toString('base64url');
      const result = await gw.gql(`{ node(id: "${id}") { id } }`);
      expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
      expect(gw.upstreamCalls()).toHaveLength(0);
    },
  );

  it('one fragment on OAuth2Grant serves all three kinds', async () => {
    const fragment =
      'fragment G on OAuth2Grant { id pk isExpired scope user { pk } provider { pk } }';
    const result = await gw.gql<Record<string, { nodes: { pk: number; user: { pk: number } }[] }>>(
      `{ refreshTokens(first: 2, orderBy: [{ field: PK }]) { nodes { ...G } }
         accessTokens(first: 2, orderBy: [{ field: PK }]) { nodes { ...G } }
         authorizationCodes(first: 2, orderBy: [{ field: PK }]) { nodes { ...G } } } ${fragment}`,
    );
    expect(result.errors).toBeUndefined();
    for (const kind of [REFRESH, ACCESS, CODES] as Kind[]) {
      const rest = restGrants(gw, kind).slice(0, 2);
      expect(result.data![kind.listField]!.nodes.map((n) => [n.pk, n.user.pk])).toEqual(
        rest.map((g) => [g.pk, g.user.pk]),
      );
    }
  });

  it('a cursor of one kind is refused by another', async () => {
    const page = await grantPage(gw, ACCESS, { first: 2 });
    const result = await gw.gql(
      `query ($after: String) { authorizationCodes(after: $after) { nodes { pk } } }`,
      {
        after: page.pageInfo.endCursor,
      },
    );
    expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
  });
});
