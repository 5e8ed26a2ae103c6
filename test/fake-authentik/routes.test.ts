import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { call, list, listAll } from './helpers.js';
import { expectedList } from './expected.js';

let fake: FakeAuthentik;
let jsmith: string;
beforeAll(async () => {
  fake = await startFakeAuthentik();
  jsmith = fake.tokens.users['jsmith'] ?? '';
});
afterAll(() => fake.close());

const LIST = '/api/v3/oauth2/refresh_tokens/';
const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const INVALID_TOKEN = { detail: 'Token invalid/expired' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

describe('authentication', () => {
  it('has the documented demo tokens', () => {
    expect(fake.tokens.admin).toBe('demo-admin-token');
    expect(fake.tokens.expired).toBe('demo-expired-token');
    expect(fake.tokens.users['jsmith']).toBe('demo-token-jsmith');
  });

  it('answers 403 with the right detail (and no code key)', async () => {
    const cases: [Record<string, string>, unknown][] = [
      [{}, NOT_PROVIDED],
      [{ authorization: `Basic ${fake.tokens.admin}` }, NOT_PROVIDED],
      [{ authorization: 'Bearer' }, NOT_PROVIDED],
      [{ authorization: 'Bearer nope' }, INVALID_TOKEN],
      [{ authorization: `Bearer ${fake.tokens.expired}` }, INVALID_TOKEN],
    ];
    for (const [headers, body] of cases) {
      const res = await call(fake, LIST, null, { headers });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(body);
    }
    expect(
      (await call(fake, LIST, null, { headers: { authorization: `bearer ${fake.tokens.admin}` } }))
        .status,
    ).toBe(200);
  });

  it('rejects other methods with 405 after authentication', async () => {
    expect((await call(fake, LIST, fake.tokens.admin, { method: 'POST' })).body).toEqual({
      detail: 'Method "POST" not allowed.',
    });
    expect((await call(fake, LIST, null, { method: 'POST' })).status).toBe(403);
  });
});

describe('visibility', () => {
  it('shows an ordinary user only their own tokens', async () => {
    const rows = await listAll(fake, 'ordering=pk&page_size=100', jsmith);
    expect(rows.length).toBe(fake.data.visibleGrants(jsmith).length);
    expect(rows.every((t) => t.user['pk'] === 7)).toBe(true);
    expect(rows).toEqual(expectedList(fake, { bearer: jsmith, ordering: 'pk' }));
  });

  it('retrieves own and hides others', async () => {
    const own = fake.data.records.tokens.find((t) => t.userPk === 7);
    const other = fake.data.records.tokens.find((t) => t.userPk !== 7);
    if (!own || !other) throw new Error('sample data');
    const got = await call(fake, `${LIST}${own.pk}/`, jsmith);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(fake.data.refreshTokens.find((t) => t.pk === own.pk));
    const hidden = await call(fake, `${LIST}${other.pk}/`, jsmith);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ detail: 'No TokenModel matches the given query.' });
    expect((await call(fake, `${LIST}${other.pk}/`)).status).toBe(200);
    expect((await call(fake, `${LIST}1/`)).body).toEqual({
      detail: 'No TokenModel matches the given query.',
    });
    expect((await call(fake, `${LIST}abc/`)).body).toEqual({ detail: 'Not found.' });
    expect((await call(fake, `${LIST}${own.pk}/used_by/`, jsmith)).body).toEqual([]);
    expect((await call(fake, `${LIST}${other.pk}/used_by/`, jsmith)).status).toBe(404);
  });
});

describe('delete', () => {
  it('needs the superuser; others get 403 (own) or 404 (foreign)', async () => {
    const own = fake.data.records.tokens.find((t) => t.userPk === 7);
    const other = fake.data.records.tokens.find((t) => t.userPk === 9);
    if (!own || !other) throw new Error('sample data');
    const denied = await call(fake, `${LIST}${own.pk}/`, jsmith, { method: 'DELETE' });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(FORBIDDEN);
    expect((await call(fake, `${LIST}${other.pk}/`, jsmith, { method: 'DELETE' })).status).toBe(
      404,
    );

    const before = (await list(fake)).pagination.count;
    const gone = await call(fake, `${LIST}${own.pk}/`, fake.tokens.admin, { method: 'DELETE' });
    expect(gone.status).toBe(204);
    expect(gone.text).toBe('');
    expect((await call(fake, `${LIST}${own.pk}/`)).status).toBe(404);
    expect((await list(fake)).pagination.count).toBe(before - 1);
    expect(fake.data.refreshTokens.some((t) => t.pk === own.pk)).toBe(false);
    expect(
      expectedList(fake, { bearer: jsmith, ordering: 'pk' }).some((t) => t.pk === own.pk),
    ).toBe(false);
    expect(
      (await call(fake, `${LIST}${own.pk}/`, fake.tokens.admin, { method: 'DELETE' })).status,
    ).toBe(404);
  });
});

describe('users and providers', () => {
  it('serves full objects to the superuser only', async () => {
    const user = await call(fake, '/api/v3/core/users/7/');
    expect(user.status).toBe(200);
    expect(user.body).toEqual(fake.data.users.find((u) => u['pk'] === 7));
    const provider = await call(fake, '/api/v3/providers/oauth2/12/');
    expect(provider.body).toEqual(fake.data.providers.find((p) => p['pk'] === 12));
    expect(provider.body).toHaveProperty('client_secret');
    expect((await call(fake, '/api/v3/core/users/7/', jsmith)).body).toEqual(FORBIDDEN);
    expect((await call(fake, '/api/v3/providers/oauth2/12/', jsmith)).body).toEqual(FORBIDDEN);
    expect((await call(fake, '/api/v3/core/users/999/')).body).toEqual({
      detail: 'No User matches the given query.',
    });
    expect((await call(fake, '/api/v3/providers/oauth2/999/')).body).toEqual({
      detail: 'No OAuth2Provider matches the given query.',
    });
  });

  it('ignores pk-list parameters', async () => {
    expect((await call(fake, '/api/v3/core/users/7/?pks=9,15')).body).toEqual(
      fake.data.users.find((u) => u['pk'] === 7),
    );
  });
});

describe('HTML 404 and health', () => {
  it.each([
    '/api/v3/oauth2/refresh_tokens',
    '/api/v3/oauth2/refresh_tokens/1041',
    '/api/v3/oauth2/nope/',
    '/api/v3/core/users',
    '/api/v3/oauth2/refresh_tokens/1.5/',
    '/',
  ])('answers an HTML page for %s', async (path) => {
    const res = await call(fake, path);
    expect(res.status).toBe(404);
    expect(res.contentType).toContain('text/html');
    expect(res.text).toContain('<h1>Not Found</h1>');
  });

  it('answers health checks without auth', async () => {
    expect((await call(fake, '/-/health/live/', null)).status).toBe(200);
    expect((await call(fake, '/-/health/ready/', null)).status).toBe(200);
    fake.setReady(false);
    expect((await call(fake, '/-/health/ready/', null)).status).toBe(503);
    expect((await call(fake, '/-/health/live/', null)).status).toBe(200);
    fake.setReady(true);
    expect((await call(fake, '/-/health/ready/', null)).status).toBe(200);
  });
});

describe('shapes', () => {
  const BASE_PROVIDER_KEYS = [
    'pk',
    'name',
    'authentication_flow',
    'authorization_flow',
    'invalidation_flow',
    'property_mappings',
    'component',
    'assigned_application_slug',
    'assigned_application_name',
    'assigned_backchannel_application_slug',
    'assigned_backchannel_application_name',
    'verbose_name',
    'verbose_name_plural',
    'meta_model_name',
  ];

  it('current: base provider, PartialGroup, roles, autocomplete', async () => {
    const env = await list(fake, 'page_size=100');
    expect(env.autocomplete).toEqual({});
    for (const t of env.results) {
      expect(Object.keys(t.provider)).toEqual(BASE_PROVIDER_KEYS);
      expect(Object.keys(t)).toEqual([
        'pk',
        'provider',
        'user',
        'is_expired',
        'expires',
        'scope',
        'id_token',
        'revoked',
      ]);
      expect(t.user).toHaveProperty('roles');
      expect(t.user).toHaveProperty('roles_obj');
      for (const g of t.user['groups_obj'] as Record<string, unknown>[]) {
        expect(Object.keys(g)).toEqual(['pk', 'num_pk', 'name', 'is_superuser', 'attributes']);
      }
      if (t.expires !== null)
        expect(t.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
      expect(t.is_expired).toBe(t.expires !== null && t.expires < fake.data.referenceNow);
      expect(t.id_token === '{}' || t.id_token.startsWith('{\n    "iss": ')).toBe(true);
    }
    const unassigned =
      env.results.find((t) => t.provider['pk'] === 21) ??
      (await list(fake, 'provider=21')).results[0];
    expect(unassigned?.provider['assigned_application_slug']).toBeNull();
  });

  it('legacy: full OAuth2Provider, UserGroup, no roles keys', async () => {
    const legacy = await startFakeAuthentik({ shape: 'legacy' });
    try {
      const env = await list(legacy, 'provider=12');
      expect(env.autocomplete).toEqual({});
      const t = env.results[0];
      if (!t) throw new Error('sample data');
      expect(t.provider).toMatchObject({
        client_type: 'public',
        redirect_uris: [
          { matching_mode: 'strict', url: 'com.acme.mobile://oauth/callback' },
          { matching_mode: 'strict', url: 'http://localhost:8100/callback' },
        ],
      });
      expect(t.provider['client_secret']).toMatch(/^[A-Za-z0-9]{128}$/);
      expect(t.provider['client_id']).toMatch(/^[A-Za-z0-9]{40}$/);
      expect('roles' in t.user || 'roles_obj' in t.user).toBe(false);
      const jsmithToken = (await list(legacy, 'user=7')).results[0];
      const sre = (jsmithToken?.user['groups_obj'] as Record<string, unknown>[]).find(
        (g) => g['name'] === 'SRE',
      );
      expect(sre).toMatchObject({ parent_name: 'Engineering' });
      expect(Object.keys(sre ?? {})).toEqual([
        'pk',
        'num_pk',
        'name',
        'is_superuser',
        'parent',
        'parent_name',
        'attributes',
      ]);
    } finally {
      await legacy.close();
    }
  });

  it('legacy-2024 (switched at run time): redirect_uris is a newline-separated string', async () => {
    fake.setOptions({ shape: 'legacy-2024' });
    try {
      const env = await list(fake, 'provider=12');
      expect('autocomplete' in env).toBe(false);
      expect(env.results[0]?.provider['redirect_uris']).toBe(
        'com.acme.mobile://oauth/callback\nhttp://localhost:8100/callback',
      );
      expect(fake.data.shape).toBe('legacy-2024');
      expect(fake.data.refreshTokens[0]?.provider).toHaveProperty('client_secret');
    } finally {
      fake.setOptions({ shape: 'current' });
    }
    expect(Object.keys((await list(fake, 'provider=12')).results[0]?.provider ?? {})).toEqual(
      BASE_PROVIDER_KEYS,
    );
  });
});

describe('determinism', () => {
  it('builds the same data for the same seed and different data for another', async () => {
    const again = await startFakeAuthentik({ tokenCount: 50 });
    const other = await startFakeAuthentik({ tokenCount: 50, seed: 2 });
    try {
      const first = await startFakeAuthentik({ tokenCount: 50 });
      expect(first.data.refreshTokens).toEqual(again.data.refreshTokens);
      await first.close();
      expect(other.data.refreshTokens).not.toEqual(again.data.refreshTokens);
      expect(again.data.refreshTokens).toHaveLength(50);
    } finally {
      await Promise.all([again.close(), other.close()]);
    }
  });
});
