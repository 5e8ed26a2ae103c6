/**
 * `_entities` as a router sends it, straight to the gateway: each entity resolves through the
 * per-request loaders (one call per distinct key), and a key-only reference costs no lookup.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { useGateway } from '../helpers/gateway.js';

const gw = useGateway();
beforeEach(() => gw.fake.resetRequests());

const JSMITH = 'demo-token-jsmith';
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

/** Sends `_entities(representations)` with `selection`, as `token`'s caller. */
async function entities(
  representations: Record<string, unknown>[],
  selection: string,
  token = ADMIN_TOKEN,
) {
  const result = await gw.gql<{ _entities: (Record<string, unknown> | null)[] }>(
    `query($r: [_Any!]!) { _entities(representations: $r) { __typename ${selection} } }`,
    { r: representations },
    { token },
  );
  expect(result.errors).toBeUndefined();
  return result.data!._entities;
}

const paths = () => gw.upstreamCalls().map((call) => call.path);
const userCalls = () => paths().filter((path) => path.startsWith('/api/v3/core/users/'));
const tokenCount = (userPk: number) =>
  gw.fake.data.records.tokens.filter((token) => token.userPk === userPk).length;
const servedToken = (pk: number) => gw.fake.data.refreshTokens.find((token) => token.pk === pk);
const uuidOf = (pk: number) => gw.fake.data.records.users.find((u) => u.pk === pk)?.uuid;

describe('RefreshToken by pk', () => {
  it('loads each distinct token once; an unknown pk is null', async () => {
    const refs = [1041, 1042, 1041, 1].map((pk) => ({ __typename: 'RefreshToken', pk }));
    const found = await entities(refs, '... on RefreshToken { pk scope user { username } }');
    const expected = (pk: number) => ({
      __typename: 'RefreshToken',
      pk,
      scope: servedToken(pk)?.scope,
      user: { username: servedToken(pk)?.user['username'] },
    });
    expect(found).toEqual([expected(1041), expected(1042), expected(1041), null]);
    expect(paths().sort()).toEqual([
      '/api/v3/oauth2/refresh_tokens/1/',
      '/api/v3/oauth2/refresh_tokens/1041/',
      '/api/v3/oauth2/refresh_tokens/1042/',
    ]);
  });
});

describe('User by pk', () => {
  it.each([
    ['the superuser', ADMIN_TOKEN, [7, 103]],
    ['jsmith, for himself (no admin rights needed)', JSMITH, [7]],
  ])(
    'answers refreshTokens from the key alone, with no user lookup (%s)',
    async (_who, token, pks) => {
      const refs = pks.map((pk) => ({ __typename: 'User', pk }));
      const found = await entities(
        refs,
        '... on User { pk id refreshTokens { totalCount } }',
        token,
      );
      expect(found.map((user) => user?.['refreshTokens'])).toEqual(
        pks.map((pk) => ({ totalCount: tokenCount(pk) })),
      );
      expect(userCalls()).toEqual([]);
      expect(gw.upstreamCalls().every((call) => call.authorization === `Bearer ${token}`)).toBe(
        true,
      );
    },
  );

  it('loads each distinct user once when other fields are asked', async () => {
    const refs = [7, 9, 7].map((pk) => ({ __typename: 'User', pk }));
    const found = await entities(refs, '... on User { pk username }');
    expect(found.map((user) => user?.['username'])).toEqual(['jsmith', 'asmithson', 'jsmith']);
    expect(userCalls().sort()).toEqual(['/api/v3/core/users/7/', '/api/v3/core/users/9/']);
  });

  it('reads uuid from the user embedded in the token list the reference asks for', async () => {
    const refs = [7, 103].map((pk) => ({ __typename: 'User', pk }));
    const found = await entities(refs, '... on User { refreshTokens { totalCount } uuid }');
    expect(found.map((user) => user?.['uuid'])).toEqual([uuidOf(7), uuidOf(103)]);
    // dormant (103) has no tokens to embed him: only he costs a lookup.
    expect(userCalls()).toEqual(['/api/v3/core/users/103/']);
  });
});

describe('User by uuid', () => {
  it('looks each uuid up with the list filter; an unknown uuid is null', async () => {
    const refs = [uuidOf(9), UNKNOWN_UUID].map((uuid) => ({ __typename: 'User', uuid }));
    const found = await entities(refs, '... on User { pk username }');
    expect(found).toEqual([{ __typename: 'User', pk: 9, username: 'asmithson' }, null]);
    expect(gw.upstreamCalls().map((call) => call.query.get('uuid'))).toEqual([
      uuidOf(9),
      UNKNOWN_UUID,
    ]);
  });
});

describe('OAuth2Provider by pk', () => {
  it('loads each provider once for its OAuth2 fields', async () => {
    const refs = [3, 5, 3].map((pk) => ({ __typename: 'OAuth2Provider', pk }));
    const found = await entities(refs, '... on OAuth2Provider { name clientId }');
    const served = (pk: number) => gw.fake.data.providers.find((p) => p['pk'] === pk)!;
    expect(found).toEqual(
      [3, 5, 3].map((pk) => ({
        __typename: 'OAuth2Provider',
        name: served(pk)['name'],
        clientId: served(pk)['client_id'],
      })),
    );
    expect(paths().sort()).toEqual(['/api/v3/providers/oauth2/3/', '/api/v3/providers/oauth2/5/']);
  });

  it('answers refreshTokens from the key alone', async () => {
    const found = await entities(
      [{ __typename: 'OAuth2Provider', pk: 3 }],
      '... on OAuth2Provider { refreshTokens { totalCount } }',
    );
    const count = gw.fake.data.records.tokens.filter((t) => t.providerPk === 3).length;
    expect(found).toEqual([{ __typename: 'OAuth2Provider', refreshTokens: { totalCount: count } }]);
    expect(paths()).toEqual(['/api/v3/oauth2/refresh_tokens/']);
  });
});
