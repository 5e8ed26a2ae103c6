/**
 * The grant kinds are one table in the gateway (`src/upstream/grant-kinds.ts`) and one in the fake
 * (which imports nothing from the gateway); the tests keep their own (`support.ts`). They must
 * agree, and everything the gateway derives from its table must be served for every kind.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GRANT_KINDS, GRANT_KINDS as FAKE_KINDS } from '../../src/fake-authentik/types.js';
import { GRANT_KINDS } from '../../src/upstream/grant-kinds.js';
import { useGateway } from '../helpers/gateway.js';
import { ALL_KINDS } from './support.js';

const gw = useGateway();
beforeEach(() => gw.fake.resetRequests());

describe('one table of grant kinds', () => {
  it('the gateway, the fake and the tests name the same kinds, in the same order, with the same model', () => {
    const tests = ALL_KINDS.map(({ segment, typename, hasRevoked }) => ({
      segment,
      typename,
      hasRevoked,
    }));
    expect(
      GRANT_KINDS.map(({ segment, typename, model }) => ({
        segment,
        typename,
        hasRevoked: model === 'TokenModel',
      })),
    ).toEqual(tests);
    expect(
      FAKE_KINDS.map((segment) => ({
        segment,
        hasRevoked: FAKE_GRANT_KINDS[segment].model === 'TokenModel',
      })),
    ).toEqual(tests.map(({ segment, hasRevoked }) => ({ segment, hasRevoked })));
  });

  it('the served schema has every kind, and no other, as an OAuth2Grant and an OAuth2GrantKind', async () => {
    const { data, errors } = await gw.gql<{
      grant: { possibleTypes: { name: string }[] };
      kinds: { enumValues: { name: string }[] };
    }>(`{
      grant: __type(name: "OAuth2Grant") { possibleTypes { name } }
      kinds: __type(name: "OAuth2GrantKind") { enumValues { name } }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.grant.possibleTypes.map((t) => t.name).sort()).toEqual(
      ALL_KINDS.map((kind) => kind.typename).sort(),
    );
    expect(data!.kinds.enumValues.map((v) => v.name).sort()).toEqual(
      ALL_KINDS.map((kind) => kind.enumValue).sort(),
    );
  });
});

describe.each(ALL_KINDS)('$typename is served whole', (kind) => {
  const fieldsOf = async (typename: string) => {
    const { data, errors } = await gw.gql<{
      __type: { fields: { name: string }[]; interfaces: { name: string }[] };
    }>(`query ($name: String!) { __type(name: $name) { fields { name } interfaces { name } } }`, {
      name: typename,
    });
    expect(errors).toBeUndefined();
    return data!.__type;
  };

  it('a connection on Query, User and OAuth2Provider, a lookup and a delete mutation', async () => {
    const [query, user, provider, mutation] = await Promise.all(
      ['Query', 'User', 'OAuth2Provider', 'Mutation'].map(fieldsOf),
    );
    const names = (type: { fields: { name: string }[] } | undefined) =>
      type!.fields.map((f) => f.name);
    expect(names(query)).toEqual(expect.arrayContaining([kind.listField, kind.lookupField]));
    expect(names(user)).toContain(kind.listField);
    expect(names(provider)).toContain(kind.listField);
    expect(names(mutation)).toContain(`delete${kind.typename}`);
  });

  it('its own fields: idToken and revoked only where authentik serves them', async () => {
    const type = await fieldsOf(kind.typename);
    expect(type.interfaces.map((i) => i.name).sort()).toEqual(['Node', 'OAuth2Grant']);
    const names = type.fields.map((f) => f.name);
    for (const field of ['idToken', 'idTokenClaims', 'revoked']) {
      expect(names.includes(field)).toBe(kind.hasRevoked);
    }
  });

  it.each([
    ['User', '/api/v3/core/users/', () => 7],
    ['OAuth2Provider', '/api/v3/providers/oauth2/', () => gw.fake.data.records.providers[0]!.pk],
  ])(
    'a key-only %s reference asking only for it costs no lookup of the entity',
    async (typename, entityPath, pkOf) => {
      const result = await gw.gql<{ _entities: Record<string, { totalCount: number }>[] }>(
        `query ($r: [_Any!]!) { _entities(representations: $r) {
          ... on ${typename} { pk ${kind.listField} { totalCount } } } }`,
        { r: [{ __typename: typename, pk: pkOf() }] },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!._entities[0]![kind.listField]!.totalCount).toBeGreaterThanOrEqual(0);
      const paths = gw.upstreamCalls().map((call) => call.path);
      expect(paths).toEqual([`/api/v3/oauth2/${kind.segment}/`]);
      expect(paths.some((path) => path.startsWith(entityPath))).toBe(false);
    },
  );
});
