import { describe, expect, it } from 'vitest';
import { codesOf, measured, useGateway } from '../helpers/gateway.js';
import { JSMITH, distinct, globalId, gqlData, listCalls, restTokens, sorted } from './support.js';
import { expectedList } from '../fake-authentik/expected.js';

interface Nested {
  totalCount: number;
  nodes: { pk: number; user: { pk: number }; provider: { pk: number } }[];
}

const NESTED = `refreshTokens(first: 100, orderBy: [{ field: PK }]) {
  totalCount nodes { pk user { pk } provider { pk } } }`;

const gw = useGateway();

describe('User.refreshTokens', () => {
  it.each([
    [7, 'jsmith'],
    [15, 'mgarcia'],
    [4, 'akadmin'],
    [103, 'dormant (no tokens)'],
  ])('user %i (%s) lists what REST ?user= lists', async (pk) => {
    const { result, calls } = await measured(gw, () =>
      gqlData<{ node: { refreshTokens: Nested } }>(
        gw,
        `{ node(id: "${globalId('User', pk)}") { ... on User { ${NESTED} } } }`,
      ),
    );
    const rest = restTokens(gw, { user: pk });
    const nested = result.node.refreshTokens;
    expect(nested.totalCount).toBe(rest.length);
    expect(nested.nodes.map((t) => t.pk)).toEqual(rest.slice(0, 100).map((t) => t.pk));
    expect(distinct(nested.nodes.map((t) => t.user.pk)).filter((p) => p !== pk)).toEqual([]);
    const lists = listCalls(calls);
    expect(lists).toHaveLength(1);
    expect(lists[0]!.query.get('user')).toBe(String(pk));
  });

  it("an ordinary user reaches their own tokens through a listed token's user", async () => {
    const data = await gqlData<{ refreshTokens: { nodes: { user: { refreshTokens: Nested } }[] } }>(
      gw,
      `{ refreshTokens(first: 1) { nodes { user { ${NESTED} } } } }`,
      undefined,
      JSMITH,
    );
    const rest = restTokens(gw, { bearer: JSMITH });
    const nested = data.refreshTokens.nodes[0]!.user.refreshTokens;
    expect(nested.totalCount).toBe(rest.length);
    expect(nested.nodes.map((t) => t.pk)).toEqual(rest.slice(0, 100).map((t) => t.pk));
  });

  it.each([
    ['the same userPk', '{ userPk: 7 }', true],
    ['userPk with a providerPk', '{ userPk: 7, providerPk: 5 }', true],
    ['only a providerPk', '{ providerPk: 5 }', true],
    ['a different userPk', '{ userPk: 15 }', false],
  ])('filter with %s', async (_name, filter, allowed) => {
    const { result, calls } = await measured(gw, () =>
      gw.gql<{ node: { refreshTokens: { nodes: { pk: number }[] } } | null }>(
        `{ node(id: "${globalId('User', 7)}") { ... on User {
            refreshTokens(first: 100, orderBy: [{ field: PK }], filter: ${filter}) { nodes { pk } } } } }`,
      ),
    );
    if (allowed) {
      expect(result.errors).toBeUndefined();
      const provider = filter.includes('providerPk') ? 5 : undefined;
      expect(result.data?.node?.refreshTokens.nodes.map((t) => t.pk)).toEqual(
        restTokens(gw, { user: 7, provider }).map((t) => t.pk),
      );
    } else {
      expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.path).toEqual(['node', 'refreshTokens']);
      expect(listCalls(calls)).toHaveLength(0);
    }
  });
});

describe('OAuth2Provider.refreshTokens', () => {
  it.each([3, 5, 21])('provider %i lists what REST ?provider= lists', async (pk) => {
    const { result, calls } = await measured(gw, () =>
      gqlData<{ node: { refreshTokens: Nested } }>(
        gw,
        `{ node(id: "${globalId('OAuth2Provider', pk)}") { ... on OAuth2Provider { ${NESTED} } } }`,
      ),
    );
    const rest = restTokens(gw, { provider: pk });
    const nested = result.node.refreshTokens;
    expect(nested.totalCount).toBe(rest.length);
    expect(nested.nodes.map((t) => t.pk)).toEqual(rest.slice(0, 100).map((t) => t.pk));
    const lists = listCalls(calls);
    expect(lists).toHaveLength(1);
    expect(lists[0]!.query.get('provider')).toBe(String(pk));
  });

  it("the provider's OAuth2 fields and its tokens' providers share one provider call", async () => {
    const { result, calls } = await measured(gw, () =>
      gqlData<{
        node: { clientId: string; refreshTokens: { nodes: { provider: { clientId: string } }[] } };
      }>(
        gw,
        `{ node(id: "${globalId('OAuth2Provider', 5)}") { ... on OAuth2Provider {
            clientId refreshTokens(first: 50) { nodes { provider { clientId } } } } } }`,
      ),
    );
    const nested = result.node.refreshTokens.nodes;
    expect(nested.length).toBeGreaterThan(0);
    expect(distinct(nested.map((t) => t.provider.clientId))).toEqual([result.node.clientId]);
    expect(listCalls(calls)).toHaveLength(1);
    expect(calls).toHaveLength(2);
  });

  it('a different filter.providerPk is BAD_USER_INPUT', async () => {
    const result = await gw.gql(
      `{ node(id: "${globalId('OAuth2Provider', 5)}") { ... on OAuth2Provider {
          refreshTokens(filter: { providerPk: 3 }) { nodes { pk } } } } }`,
    );
    expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('repeated parents', () => {
  it.each([
    ['user', 'user'],
    ['provider', 'provider'],
  ] as const)(
    'every %s on a 60-row page with identical arguments costs one call per distinct parent',
    async (parent, param) => {
      const { result, calls } = await measured(gw, () =>
        gqlData<{
          refreshTokens: {
            nodes: { [key: string]: { pk: number; refreshTokens: Nested } }[];
          };
        }>(
          gw,
          `{ refreshTokens(first: 60, orderBy: [{ field: PK }]) { nodes { pk
              ${parent} { pk refreshTokens(first: 3, orderBy: [{ field: PK }]) {
                totalCount nodes { pk user { pk } provider { pk } } } } } } }`,
        ),
      );
      const parents = result.refreshTokens.nodes.map((row) => row[parent]!);
      const parentPks = distinct(parents.map((p) => p.pk));
      expect(parentPks.length).toBeGreaterThan(2);
      expect(parentPks.length).toBeLessThan(parents.length);
      const lists = listCalls(calls);
      expect(calls).toHaveLength(1 + parentPks.length);
      expect(lists).toHaveLength(1 + parentPks.length);
      const nestedParams = lists
        .map((call) => call.query.get(param))
        .filter((value): value is string => value !== null)
        .map(Number);
      expect(sorted(nestedParams)).toEqual(sorted(parentPks));
      for (const p of parents) {
        const rest = restTokens(gw, { [param]: p.pk });
        expect(p.refreshTokens.totalCount).toBe(rest.length);
        expect(p.refreshTokens.nodes.map((t) => t.pk)).toEqual(rest.slice(0, 3).map((t) => t.pk));
        for (const t of p.refreshTokens.nodes) expect(t[parent].pk).toBe(p.pk);
      }
    },
  );

  it('the same parent with different arguments is a separate call', async () => {
    const { result, calls } = await measured(gw, () =>
      gqlData<{ node: { a: Nested; b: Nested } }>(
        gw,
        `{ node(id: "${globalId('User', 7)}") { ... on User {
            a: refreshTokens(first: 5, orderBy: [{ field: PK }]) { totalCount nodes { pk user { pk } provider { pk } } }
            b: refreshTokens(first: 5, orderBy: [{ field: PK, direction: DESC }]) { totalCount nodes { pk user { pk } provider { pk } } }
            c: refreshTokens(first: 5, orderBy: [{ field: PK }]) { totalCount nodes { pk user { pk } provider { pk } } } } } }`,
      ),
    );
    const rest = expectedList(gw.fake, { bearer: 'demo-admin-token', ordering: 'pk', user: 7 });
    expect(result.node.a.nodes.map((t) => t.pk)).toEqual(rest.slice(0, 5).map((t) => t.pk));
    expect(result.node.b.nodes.map((t) => t.pk)).toEqual(
      rest
        .slice(-5)
        .reverse()
        .map((t) => t.pk),
    );
    expect(listCalls(calls)).toHaveLength(2);
  });
});
