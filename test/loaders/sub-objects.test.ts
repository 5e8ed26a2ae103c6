import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamShape } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { codesOf, measured, startGateway, useGateway } from '../helpers/gateway.js';
import {
  JSMITH,
  PROVIDER_PATH,
  USER_PATH,
  distinct,
  gqlData,
  listCalls,
  restTokens,
  retrieveCalls,
  retrievedPks,
} from './support.js';
import { expectedResponse } from '../fake-authentik/expected.js';

interface Row {
  pk: number;
  provider: Record<string, unknown> & { pk: number };
  user: Record<string, unknown> & { pk: number };
}

/** The first 100 tokens by pk, with `selection` below each row. */
const pageQuery = (selection: string, first = 100) =>
  `{ refreshTokens(first: ${first}, orderBy: [{ field: PK }]) { nodes { pk ${selection} } } }`;

const gw = useGateway();
afterEach(() => gw.fake.setOptions({ shape: 'current' }));

/** The full OAuth2 provider as authentik's /providers/oauth2/{pk}/ serves it to the admin. */
function restProvider(pk: number): Record<string, unknown> {
  const { status, body } = expectedResponse(gw.fake, `${PROVIDER_PATH}${pk}/`, ADMIN_TOKEN);
  expect(status).toBe(200);
  return body as Record<string, unknown>;
}

describe('embedded providers and users', () => {
  it('a 100-row page selecting provider { name } and user { username } costs one call', async () => {
    const { result, calls } = await measured(gw, () =>
      gqlData<{ refreshTokens: { nodes: Row[] } }>(
        gw,
        pageQuery('provider { pk name } user { pk username }'),
      ),
    );
    expect(calls).toHaveLength(1);
    expect(listCalls(calls)).toHaveLength(1);
    const expected = restTokens(gw).slice(0, 100);
    expect(result.refreshTokens.nodes).toEqual(
      expected.map((t) => ({
        pk: t.pk,
        provider: { pk: t.provider.pk, name: t.provider.name },
        user: { pk: t.user.pk, username: t.user.username },
      })),
    );
  });

  it('every row with the same user or provider pk shows the same object', async () => {
    const { result, calls } = await measured(gw, () =>
      gqlData<{ refreshTokens: { nodes: Row[] } }>(
        gw,
        pageQuery(
          'provider { pk id name assignedApplicationSlug component } ' +
            'user { pk id uuid username name email isSuperuser groups roles avatar uid }',
        ),
      ),
    );
    expect(calls).toHaveLength(1);
    const rows = result.refreshTokens.nodes;
    for (const kind of ['user', 'provider'] as const) {
      const byPk = new Map<number, Record<string, unknown>>();
      for (const row of rows) {
        const first = byPk.get(row[kind].pk);
        if (first) expect(row[kind]).toEqual(first);
        else byPk.set(row[kind].pk, row[kind]);
      }
      // The page really repeats objects, so this checks something.
      expect(byPk.size).toBeLessThan(rows.length / 4);
    }
  });
});

describe('OAuth2 fields missing from the embedded provider', () => {
  const OAUTH2_SELECTION = 'provider { pk name clientId clientType redirectUris { url } }';

  it.each<[UpstreamShape, boolean]>([
    ['current', true],
    ['legacy', false],
    ['legacy-2024', false],
  ])(
    'shape %s: provider { clientId ... } costs 1 list call (+ one per distinct provider: %s)',
    async (shape, loadsProviders) => {
      gw.fake.setOptions({ shape });
      const { result, calls } = await measured(gw, () =>
        gqlData<{ refreshTokens: { nodes: Row[] } }>(gw, pageQuery(OAUTH2_SELECTION)),
      );
      const rows = result.refreshTokens.nodes;
      const providerPks = distinct(rows.map((row) => row.provider.pk));
      expect(providerPks.length).toBeGreaterThan(2);
      expect(listCalls(calls)).toHaveLength(1);
      if (loadsProviders) {
        expect(calls).toHaveLength(1 + providerPks.length);
        expect(retrievedPks(calls, PROVIDER_PATH).sort((a, b) => a - b)).toEqual(
          [...providerPks].sort((a, b) => a - b),
        );
      } else {
        expect(calls).toHaveLength(1);
      }
      gw.fake.setOptions({ shape: 'current' });
      for (const row of rows) {
        const rest = restProvider(row.provider.pk);
        expect(row.provider.clientId).toBe(rest.client_id);
        expect(row.provider.clientType).toBe(String(rest.client_type).toUpperCase());
        expect(row.provider.name).toBe(rest.name);
      }
    },
  );

  it('selecting no OAuth2-only field loads no provider', async () => {
    const { calls } = await measured(gw, () =>
      gqlData(
        gw,
        pageQuery('provider { pk id name component verboseName assignedApplicationName }'),
      ),
    );
    expect(calls).toHaveLength(1);
  });

  it('an ordinary user gets FORBIDDEN at each clientId and the rest of the page intact', async () => {
    const expected = restTokens(gw, { bearer: JSMITH }).slice(0, 100);
    const providerPks = distinct(expected.map((t) => t.provider.pk));
    const { result, calls } = await measured(gw, () =>
      gw.gql<{ refreshTokens: { nodes: Row[] } }>(
        pageQuery('provider { pk name clientId } user { username }'),
        undefined,
        { token: JSMITH },
      ),
    );
    expect(result.data?.refreshTokens.nodes).toEqual(
      expected.map((t) => ({
        pk: t.pk,
        provider: { pk: t.provider.pk, name: t.provider.name, clientId: null },
        user: { username: 'jsmith' },
      })),
    );
    const errors = result.errors ?? [];
    expect(errors).toHaveLength(expected.length);
    expect(distinct(codesOf(errors))).toEqual(['FORBIDDEN']);
    for (const error of errors) {
      expect(error.path).toEqual([
        'refreshTokens',
        'nodes',
        expect.any(Number),
        'provider',
        'clientId',
      ]);
    }
    const rowsWithError = errors
      .map((error) => error.path?.[2])
      .sort((a, b) => Number(a) - Number(b));
    expect(rowsWithError).toEqual(expected.map((_, index) => index));
    // One attempt per distinct provider, not one per row.
    expect(calls).toHaveLength(1 + providerPks.length);
    expect(retrieveCalls(calls, PROVIDER_PATH)).toHaveLength(providerPks.length);
  });

  it('an ordinary user on the legacy shape gets the embedded clientId: no call, no error', async () => {
    gw.fake.setOptions({ shape: 'legacy' });
    const expected = restTokens(gw, { bearer: JSMITH }).slice(0, 100);
    const { result, calls } = await measured(gw, () =>
      gw.gql<{ refreshTokens: { nodes: Row[] } }>(
        pageQuery('provider { pk name clientId }'),
        undefined,
        { token: JSMITH },
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.refreshTokens.nodes).toEqual(
      expected.map((t) => ({
        pk: t.pk,
        provider: { pk: t.provider.pk, name: t.provider.name, clientId: t.provider.client_id },
      })),
    );
    expect(calls).toHaveLength(1);
  });

  it('one provider failing upstream fails only its own rows', async () => {
    gw.fake.fault({ mode: 'html500', pathPrefix: PROVIDER_PATH, times: 1 });
    const { result, calls } = await measured(gw, () =>
      gw.gql<{ refreshTokens: { nodes: Row[] } }>(pageQuery('provider { pk clientId }')),
    );
    gw.fake.clearFaults();
    const rows = result.data?.refreshTokens.nodes ?? [];
    expect(rows).toHaveLength(100);
    const providerPks = distinct(rows.map((row) => row.provider.pk));
    expect(calls).toHaveLength(1 + providerPks.length);
    const failedRows = (result.errors ?? []).map((error) => Number(error.path?.[2]));
    expect(distinct(codesOf(result.errors))).toEqual(['UPSTREAM_ERROR']);
    const failedProviders = distinct(failedRows.map((index) => rows[index]!.provider.pk));
    expect(failedProviders).toHaveLength(1);
    rows.forEach((row, index) => {
      if (row.provider.pk === failedProviders[0]) {
        expect(failedRows).toContain(index);
        expect(row.provider.clientId).toBeNull();
      } else {
        expect(row.provider.clientId).toBe(restProvider(row.provider.pk).client_id);
      }
    });
  });

  it('issues every provider load before any of them answers (in parallel)', async () => {
    const own = await startGateway({ env: { UPSTREAM_TIMEOUT_MS: '5000' } });
    try {
      const providerPks = distinct(
        restTokens(own)
          .slice(0, 100)
          .map((t) => t.provider.pk),
      );
      expect(providerPks.length).toBeGreaterThan(2);
      own.fake.fault({ mode: 'hang', pathPrefix: PROVIDER_PATH });
      const pending = own.gql(pageQuery('provider { clientId }'));
      // A sequential gateway would stop at the first hung call.
      await expect
        .poll(() => own.fake.countRequests(PROVIDER_PATH), { timeout: 3_000, interval: 10 })
        .toBe(providerPks.length);
      await own.fake.close();
      const result = await pending;
      expect(result.errors?.length).toBeGreaterThan(0);
    } finally {
      // Closing the fake first ends the hung calls at once.
      await own.fake.close();
      await own.close();
    }
  });
});

describe('users', () => {
  it('needs no /core/users/ call for any user field of an embedded user', async () => {
    const { calls } = await measured(gw, () =>
      gqlData(
        gw,
        pageQuery(
          'user { pk username name email isActive lastLogin dateJoined isSuperuser groups ' +
            'groupsObj { name } roles rolesObj { name } avatar attributes uid path type ' +
            'passwordChangeDate lastUpdated }',
        ),
      ),
    );
    expect(calls).toHaveLength(1);
    expect(retrieveCalls(calls, USER_PATH)).toHaveLength(0);
  });
});

describe('include_groups / include_roles', () => {
  const page = (selection: string) =>
    `{ refreshTokens(first: 5, orderBy: [{ field: PK }]) { nodes { pk ${selection} } } }`;

  it.each([
    ['nothing about the user', page(''), false, false],
    ['user { username }', page('user { username }'), false, false],
    ['user { groups roles }', page('user { groups roles }'), false, false],
    ['user { groupsObj }', page('user { groupsObj { name } }'), true, false],
    ['user { rolesObj }', page('user { rolesObj { name } }'), false, true],
    ['both', page('user { groupsObj { name } rolesObj { pk } }'), true, true],
    [
      'groupsObj through a fragment',
      `{ refreshTokens(first: 5) { nodes { user { ...U } } } } fragment U on User { groupsObj { pk } }`,
      true,
      false,
    ],
    [
      'rolesObj through an inline fragment on a node',
      `{ refreshTokens(first: 5) { nodes { pk } } node(id: "${Buffer.from('User:7').toString('base64url')}") { ... on User { rolesObj { name } } } }`,
      false,
      true,
    ],
    [
      'groupsObj selected only in another root field of the operation',
      `{ a: refreshTokens(first: 5) { nodes { pk } } b: refreshTokens(first: 6) { nodes { user { groupsObj { name } } } } }`,
      true,
      false,
    ],
  ])('%s', async (_name, query, includeGroups, includeRoles) => {
    const { result, calls } = await measured(gw, () => gqlData<Record<string, unknown>>(gw, query));
    const lists = listCalls(calls);
    expect(lists.length).toBeGreaterThan(0);
    for (const { query: params } of lists) {
      expect(params.get('include_groups')).toBe(includeGroups ? null : 'false');
      expect(params.get('include_roles')).toBe(includeRoles ? null : 'false');
    }
    const text = JSON.stringify(result);
    if (includeGroups) expect(text).toMatch(/"groupsObj":\[\{/);
    if (includeRoles) expect(text).toMatch(/"rolesObj":\[\{/);
  });
});
