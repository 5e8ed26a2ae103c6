import type { GraphQLObjectType, GraphQLOutputType } from 'graphql';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { JsonObject, ServedToken, UpstreamShape } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { buildSchema } from '../../src/graphql/schema/index.js';
import { codesOf, useGateway } from '../helpers/gateway.js';
import { countListCalls, restList, walkForward } from '../helpers/connections.js';
import { expectedResponse } from '../fake-authentik/expected.js';

const schema = buildSchema();
const objectType = (name: string) => schema.getType(name) as GraphQLObjectType;
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

// Fields that mirror authentik's: not the Relay global id, not connections (they take arguments).
const upstreamFields = (type: GraphQLObjectType) =>
  Object.values(type.getFields()).filter((field) => field.name !== 'id' && field.args.length === 0);

// Every upstream field of an object type, recursively.
function selectAll(type: GraphQLObjectType, depth = 0): string {
  if (depth > 4) throw new Error('unexpected depth');
  return upstreamFields(type)
    .map((field) => {
      const named = getNamedType(field.type);
      return isObjectType(named) ? `${field.name} { ${selectAll(named, depth + 1)} }` : field.name;
    })
    .join(' ');
}

// What the gateway must answer for an upstream value: camelCased fields, enum names (null for a
// value the schema does not know), lists item by item, scalars unchanged (dates keep precision).
function expectedValue(type: GraphQLOutputType, raw: unknown): unknown {
  if (isNonNullType(type)) return expectedValue(type.ofType, raw);
  if (raw === undefined || raw === null) return null;
  if (isListType(type)) return (raw as unknown[]).map((item) => expectedValue(type.ofType, item));
  if (isEnumType(type)) return type.getValues().find((v) => v.value === raw)?.name ?? null;
  if (isObjectType(type)) {
    const object = raw as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const field of upstreamFields(type)) {
      if (field.name === 'idTokenClaims') {
        out[field.name] = JSON.parse(object.id_token as string);
      } else if (field.name === 'redirectUriType' && object.redirect_uri_type === undefined) {
        out[field.name] = 'AUTHORIZATION'; // authentik's documented default
      } else {
        out[field.name] = expectedValue(field.type, object[snake(field.name)]);
      }
    }
    return out;
  }
  return raw;
}

// The provider as the gateway sees it: embedded (full on older servers) plus, on current servers,
// the OAuth2 fields of GET /providers/oauth2/{pk}/.
function upstreamView(
  token: ServedToken,
  shape: UpstreamShape,
  providers: JsonObject[],
): ServedToken {
  const full = providers.find((p) => p.pk === token.provider.pk)!;
  const provider: Record<string, unknown> =
    shape === 'current' ? { ...full, ...token.provider } : { ...token.provider };
  if (typeof provider.redirect_uris === 'string') {
    provider.redirect_uris = provider.redirect_uris
      .split('\n')
      .filter(Boolean)
      .map((url) => ({ url }));
  }
  return { ...token, provider: provider as JsonObject };
}

const SHAPES: UpstreamShape[] = ['current', 'legacy', 'legacy-2024'];
const ALL_FIELDS = `query { refreshTokens(first: 100, orderBy: [{ field: PK }]) { nodes { ${selectAll(objectType('RefreshToken'))} } } }`;

describe.each(SHAPES)('authentik shape %s', (shape) => {
  const gw = useGateway({ fake: { shape } });

  it('serves every field of tokens, users, groups, roles and providers as authentik has them', async () => {
    gw.fake.resetRequests();
    const result = await gw.gql<{ refreshTokens: { nodes: unknown[] } }>(ALL_FIELDS);
    expect(result.errors).toBeUndefined();
    const rest = restList(gw.fake, { ordering: 'pk' }).slice(0, 100);
    const expected = rest.map((t) =>
      expectedValue(objectType('RefreshToken'), upstreamView(t, shape, gw.fake.data.providers)),
    );
    expect(result.data!.refreshTokens.nodes).toEqual(expected);
  });

  it('pages the whole list with cursors like the REST API', async () => {
    const expected = restList(gw.fake, { ordering: 'provider,expires,pk' }).map((t) => t.pk);
    expect((await walkForward(gw, {}, 64)).pks).toEqual(expected);
  });

  it('keeps microseconds and the id_token string unchanged', async () => {
    const result = await gw.gql<{
      refreshTokens: { nodes: { pk: number; expires: string | null; idToken: string }[] };
    }>('{ refreshTokens(first: 100, orderBy: [{ field: PK }]) { nodes { pk expires idToken } } }');
    const rest = restList(gw.fake, { ordering: 'pk' }).slice(0, 100);
    const nodes = result.data!.refreshTokens.nodes;
    expect(nodes.map((n) => n.expires)).toEqual(rest.map((t) => t.expires));
    expect(nodes.map((n) => n.idToken)).toEqual(rest.map((t) => t.id_token));
    expect(nodes.filter((n) => /\.\d{6}Z$/.test(n.expires ?? '')).length).toBeGreaterThan(10);
    expect(nodes.filter((n) => n.idToken.includes('\n    "')).length).toBeGreaterThan(10);
  });

  it('loads OAuth2 fields per provider only when the token does not embed them', async () => {
    gw.fake.resetRequests();
    await gw.gql('{ refreshTokens(first: 100) { nodes { pk provider { clientId grantTypes } } } }');
    const providerCalls = gw.upstreamCalls().filter((c) => c.path.startsWith('/api/v3/providers/'));
    if (shape === 'current') {
      const distinct = new Set(providerCalls.map((c) => c.path));
      expect(distinct.size).toBe(providerCalls.length); // one call per provider
      expect(providerCalls.length).toBeGreaterThan(0);
      expect(providerCalls.length).toBeLessThanOrEqual(6);
    } else {
      // Older servers embed the full OAuth2Provider: a field it lacks is missing upstream too.
      expect(providerCalls).toEqual([]);
    }
  });

  it('roles are null where authentik has none, lists where it has them', async () => {
    const result = await gw.gql<{
      refreshTokens: { nodes: { user: { roles: string[] | null; rolesObj: unknown[] | null } }[] };
    }>('{ refreshTokens(first: 20) { nodes { user { roles rolesObj { pk name } } } } }');
    for (const { user } of result.data!.refreshTokens.nodes) {
      if (shape === 'current') {
        expect(Array.isArray(user.roles)).toBe(true);
        expect(Array.isArray(user.rolesObj)).toBe(true);
      } else {
        expect(user).toEqual({ roles: null, rolesObj: null });
      }
    }
  });
});

describe('every upstream field has a schema field (camelCased), and no client secret', () => {
  const gw = useGateway();

  it.each(SHAPES)('shape %s', (shape) => {
    gw.fake.setOptions({ shape });
    // A token whose user has groups, and roles where this shape has them.
    const token = restList(gw.fake, { ordering: 'pk' }).find(
      (t) =>
        (t.user.groups_obj as unknown[]).length > 0 &&
        (t.user.roles_obj === undefined || (t.user.roles_obj as unknown[]).length > 0),
    )!;
    const objects: [string, Record<string, unknown>][] = [
      ['RefreshToken', { ...token }],
      ['User', token.user],
      ['OAuth2Provider', token.provider],
      ['OAuth2Provider', gw.fake.data.providers[0]!],
      ['Group', (token.user.groups_obj as JsonObject[])[0]!],
    ];
    if (shape === 'current') objects.push(['Role', (token.user.roles_obj as JsonObject[])[0]!]);
    const uris = gw.fake.data.providers[0]!.redirect_uris;
    if (Array.isArray(uris)) objects.push(['RedirectUri', uris[0] as JsonObject]);
    for (const [typeName, object] of objects) {
      const fields = Object.keys(objectType(typeName).getFields());
      for (const key of Object.keys(object)) {
        if (key === 'client_secret') continue;
        expect(fields, `${typeName}.${camel(key)}`).toContain(camel(key));
      }
    }
    gw.fake.setOptions({ shape: undefined });
  });

  it('has no field named like a secret anywhere in the schema', () => {
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const name of Object.keys(type.getFields())) expect(name).not.toMatch(/secret/i);
      }
    }
  });

  it('refuses to select clientSecret, and never serves a secret authentik sent', async () => {
    gw.fake.setOptions({ shape: 'legacy' });
    try {
      const { result, calls } = await countListCalls(gw, () =>
        gw.gql('{ refreshTokens { nodes { provider { clientSecret } } } }'),
      );
      expect(result.errors?.[0]?.message).toMatch(/clientSecret/);
      expect(calls).toHaveLength(0);
      const everything = JSON.stringify(await gw.gql(ALL_FIELDS));
      const secrets = restList(gw.fake, { ordering: 'pk' }).map(
        (t) => t.provider.client_secret as string,
      );
      expect(secrets[0]).toMatch(/^\w{20,}$/);
      for (const secret of new Set(secrets)) expect(everything).not.toContain(secret);
    } finally {
      gw.fake.setOptions({ shape: undefined });
    }
  });
});

describe('values the gateway does not know do not fail the page', () => {
  const gw = useGateway({ fake: { shape: 'legacy' } });

  const QUERY = `{ refreshTokens(first: 3, orderBy: [{ field: PK }]) { nodes {
    pk expires idToken idTokenClaims revoked
    user { username type groupsObj { name parent } roles }
    provider { name clientType subMode issuerMode logoutMethod grantTypes
      redirectUris { url matchingMode redirectUriType } }
  } } }`;

  interface Node {
    pk: number;
    expires: string | null;
    idToken: string;
    idTokenClaims: unknown;
    user: { username: string; type: string | null; groupsObj: unknown[] | null };
    provider: {
      clientType: string | null;
      subMode: string | null;
      issuerMode: string | null;
      logoutMethod: string | null;
      grantTypes: (string | null)[] | null;
      redirectUris: { url: string; matchingMode: string | null; redirectUriType: string | null }[];
    };
  }

  it('serves unknown enum values as null, keeps dates and id_token, nulls unparseable claims', async () => {
    const page = expectedResponse(
      gw.fake,
      '/api/v3/oauth2/refresh_tokens/?ordering=pk&page=1&page_size=3',
      ADMIN_TOKEN,
    ).body as { results: Record<string, Record<string, unknown>>[] };
    const [a, b] = page.results;
    a!.user!.type = 'robot_overlord';
    a!.user!.groups_obj = null;
    a!.provider!.client_type = 'quantum';
    a!.provider!.sub_mode = 'user_fingerprint';
    a!.provider!.issuer_mode = 'per_planet';
    a!.provider!.logout_method = 'carrier_pigeon';
    a!.provider!.grant_types = ['authorization_code', 'urn:example:new-grant'];
    a!.provider!.redirect_uris = [
      { matching_mode: 'glob', url: 'https://a.example/*', redirect_uri_type: 'post_logout' },
    ];
    (a as Record<string, unknown>).expires = '2026-03-01T10:20:30.123456Z';
    (a as Record<string, unknown>).id_token = 'not { json';
    (b as Record<string, unknown>).id_token = '{}';
    gw.fake.fault({
      mode: 'status',
      status: 200,
      body: JSON.stringify(page),
      times: 1,
      pathPrefix: '/api/v3/oauth2/refresh_tokens/',
    });
    const result = await gw.gql<{ refreshTokens: { nodes: Node[] } }>(QUERY);
    expect(result.errors).toBeUndefined();
    const [first, second, third] = result.data!.refreshTokens.nodes;
    expect(first).toMatchObject({
      expires: '2026-03-01T10:20:30.123456Z',
      idToken: 'not { json',
      idTokenClaims: null,
      user: { type: null, groupsObj: null },
      provider: {
        clientType: null,
        subMode: null,
        issuerMode: null,
        logoutMethod: null,
        grantTypes: ['AUTHORIZATION_CODE', null],
        redirectUris: [{ url: 'https://a.example/*', matchingMode: null, redirectUriType: null }],
      },
    });
    expect(second).toMatchObject({ idToken: '{}', idTokenClaims: {} });
    expect(third!.idTokenClaims).toEqual(JSON.parse(third!.idToken));
    expect(third!.user.type).not.toBeNull();
  });

  it('still fails a page that is not a token list at all', async () => {
    gw.fake.fault({
      mode: 'status',
      status: 200,
      body: JSON.stringify({ results: [{ pk: 'x' }] }),
      times: 1,
    });
    const result = await gw.gql(QUERY);
    expect(codesOf(result.errors)).toEqual(['UPSTREAM_ERROR']);
  });
});
