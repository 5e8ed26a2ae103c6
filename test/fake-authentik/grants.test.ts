import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import type { GrantKind } from '../../src/fake-authentik/types.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import type { Envelope } from './helpers.js';
import { call } from './helpers.js';
import { expectedGrants } from './expected.js';

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik();
});
afterAll(() => fake.close());

const jsmith = () => fake.tokens.users['jsmith']!;
const listOf = async (kind: GrantKind, query: string, bearer = fake.tokens.admin) => {
  const res = await call(fake, `/api/v3/oauth2/${kind}/?${query}`, bearer);
  expect(res.status).toBe(200);
  return res.body as Envelope;
};

describe.each<GrantKind>(['access_tokens', 'authorization_codes'])(
  '/oauth2/%s/: the refresh-token view configuration',
  (kind) => {
    it('pages with the same envelope, default ordering provider,expires', async () => {
      // No tie-breaker in the default ordering: ties are arranged per page, as the server does.
      const all = expectedGrants(fake, { bearer: fake.tokens.admin, page: 2 }, kind);
      const page = await listOf(kind, 'page_size=5&page=2');
      expect(page.pagination).toMatchObject({ count: all.length, current: 2, start_index: 6 });
      expect(page.results.map((t) => t.pk)).toEqual(all.slice(5, 10).map((t) => t.pk));
    });

    it('scopes a non-superuser to their own rows, and filters by user and provider', async () => {
      const own = await listOf(kind, 'page_size=100&ordering=pk', jsmith());
      expect(own.pagination.count).toBe(fake.data.visibleGrants(jsmith(), kind).length);
      expect(own.results.every((t) => t.user.username === 'jsmith')).toBe(true);
      const other = await listOf(kind, 'user=15', jsmith());
      expect(other.pagination.count).toBe(0);
      const bad = await call(fake, `/api/v3/oauth2/${kind}/?provider=999`);
      expect(bad.status).toBe(400);
    });

    it('retrieves and deletes in its own table (pks overlap with refresh tokens)', async () => {
      const row =
        fake.data.records[kind === 'access_tokens' ? 'accessTokens' : 'authorizationCodes'].at(-1)!;
      const path = `/api/v3/oauth2/${kind}/${row.pk}/`;
      expect((await call(fake, path, jsmith(), { method: 'DELETE' })).status).toBe(
        row.userPk === 7 ? 403 : 404,
      );
      const refreshBefore = fake.data.refreshTokens.length;
      expect((await call(fake, path, fake.tokens.admin, { method: 'DELETE' })).status).toBe(204);
      expect((await call(fake, path)).status).toBe(404);
      expect(fake.data.refreshTokens.length).toBe(refreshBefore);
    });
  },
);

describe('authorization codes are ExpiringBaseGrantModel', () => {
  it('have no id_token and no revoked, and ignore ordering=revoked', async () => {
    const page = await listOf('authorization_codes', 'page_size=100&ordering=revoked');
    for (const row of page.results) {
      expect(Object.keys(row).sort()).toEqual([
        'expires',
        'is_expired',
        'pk',
        'provider',
        'scope',
        'user',
      ]);
    }
    const byDefault = await listOf('authorization_codes', 'page_size=100&ordering=-pk');
    expect(byDefault.results.map((t) => t.pk)).toEqual(
      expectedGrants(
        fake,
        { bearer: fake.tokens.admin, ordering: '-pk' },
        'authorization_codes',
      ).map((t) => t.pk),
    );
  });

  it('have no used_by action (HTML 404); access tokens do', async () => {
    const code = fake.data.records.authorizationCodes[0]!.pk;
    const access = fake.data.records.accessTokens[0]!.pk;
    expect(
      (await call(fake, `/api/v3/oauth2/authorization_codes/${code}/used_by/`)).contentType,
    ).toContain('text/html');
    expect((await call(fake, `/api/v3/oauth2/access_tokens/${access}/used_by/`)).body).toEqual([]);
  });
});

describe('maxInFlight', () => {
  it('records how many DELETEs were answered at once', async () => {
    fake.resetRequests();
    // One fault per DELETE (each is taken by one request), long enough that all three overlap.
    for (let i = 0; i < 3; i++) {
      fake.fault({
        mode: 'slowHeaders',
        delayMs: 300,
        pathPrefix: '/api/v3/oauth2/access_tokens/9',
      });
    }
    try {
      await Promise.all(
        [999_991, 999_992, 999_993].map((pk) =>
          call(fake, `/api/v3/oauth2/access_tokens/${pk}/`, fake.tokens.admin, {
            method: 'DELETE',
          }),
        ),
      );
    } finally {
      fake.clearFaults();
    }
    expect(fake.maxInFlight('DELETE')).toBe(3);
    expect(fake.maxInFlight('GET')).toBe(0);
    fake.resetRequests();
    expect(fake.maxInFlight('DELETE')).toBe(0);
  });
});
