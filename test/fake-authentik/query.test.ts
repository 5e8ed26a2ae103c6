import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import type { ServedToken } from '../../src/fake-authentik/types.js';
import { call, expiresKey, list, listAll } from './helpers.js';
import { expectedList } from './expected.js';

let fake: FakeAuthentik;
let jsmith: string;
beforeAll(async () => {
  fake = await startFakeAuthentik();
  jsmith = fake.tokens.users['jsmith'] ?? '';
});
afterAll(() => fake.close());

const pks = (rows: ServedToken[]): number[] => rows.map((t) => t.pk);
const INVALID = ['Select a valid choice. That choice is not one of the available choices.'];

describe('ordering', () => {
  it('orders by pk in both directions', async () => {
    const all = fake.data.records.tokens.map((t) => t.pk);
    expect(pks(await listAll(fake, 'ordering=pk&page_size=100'))).toEqual(all);
    expect(pks(await listAll(fake, 'ordering=-pk&page_size=100'))).toEqual([...all].reverse());
  });

  it('puts null expires last ascending and first descending', async () => {
    const asc = await listAll(fake, 'ordering=expires,pk&page_size=100');
    const desc = await listAll(fake, 'ordering=-expires,pk&page_size=100');
    const nulls = fake.data.records.tokens.filter((t) => t.expires === null).length;
    expect(nulls).toBeGreaterThan(0);
    expect(asc.slice(-nulls).every((t) => t.expires === null)).toBe(true);
    expect(desc.slice(0, nulls).every((t) => t.expires === null)).toBe(true);
    const keys = asc.map(expiresKey);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });

  it('orders foreign keys by integer id and booleans false first', async () => {
    const byUser = await listAll(fake, 'ordering=user,-pk&page_size=100');
    const userPks = byUser.map((t) => t.user['pk'] as number);
    expect(userPks).toEqual([...userPks].sort((a, b) => a - b));
    const byRevoked = await listAll(fake, 'ordering=-revoked,provider,pk&page_size=100');
    const firstFalse = byRevoked.findIndex((t) => !t.revoked);
    expect(byRevoked.slice(firstFalse).every((t) => !t.revoked)).toBe(true);
    expect(pks(byRevoked)).toEqual(
      pks(expectedList(fake, { bearer: fake.tokens.admin, ordering: '-revoked,provider,pk' })),
    );
  });

  it('drops invalid terms silently and falls back to the default', async () => {
    expect(pks(await listAll(fake, 'ordering=bogus,-pk,--pk,name&page_size=100'))).toEqual(
      pks(await listAll(fake, 'ordering=-pk&page_size=100')),
    );
    const fallback = await list(fake, 'ordering=bogus,,-nope');
    const byDefault = await list(fake);
    expect(pks(fallback.results)).toEqual(pks(byDefault.results));
    expect(pks(byDefault.results)).toEqual(
      pks(expectedList(fake, { bearer: fake.tokens.admin }).slice(0, 20)),
    );
  });

  it('uses provider,expires by default, with ties broken differently on different pages', async () => {
    const p1 = expectedList(fake, { bearer: fake.tokens.admin, page: 1 });
    const p2 = expectedList(fake, { bearer: fake.tokens.admin, page: 2 });
    for (const rows of [p1, p2]) {
      const keys = rows.map((t) => [t.provider['pk'] as number, expiresKey(t)] as const);
      for (let i = 1; i < keys.length; i++) {
        const [a, b] = [keys[i - 1], keys[i]];
        if (!a || !b) continue;
        expect(a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1])).toBe(true);
      }
    }
    expect(pks(p1)).not.toEqual(pks(p2));
    expect(new Set(pks(p1))).toEqual(new Set(pks(p2)));
    const page2 = await list(fake, 'page=2');
    expect(pks(page2.results)).toEqual(pks(p2.slice(20, 40)));
  });
});

describe('user and provider filters', () => {
  it('filters by user and provider for the superuser', async () => {
    const rows = await listAll(fake, 'user=7&provider=3&ordering=pk&page_size=100');
    const expected = fake.data.records.tokens
      .filter((t) => t.userPk === 7 && t.providerPk === 3)
      .map((t) => t.pk);
    expect(expected.length).toBeGreaterThan(0);
    expect(pks(rows)).toEqual(expected);
  });

  it('rejects unknown and non-integer ids with 400', async () => {
    const one = await call(fake, '/api/v3/oauth2/refresh_tokens/?user=999');
    expect(one.status).toBe(400);
    expect(one.body).toEqual({ user: INVALID });
    expect((await call(fake, '/api/v3/oauth2/refresh_tokens/?provider=abc')).body).toEqual({
      provider: INVALID,
    });
    expect((await call(fake, '/api/v3/oauth2/refresh_tokens/?user=1.5')).body).toEqual({
      user: INVALID,
    });
    const both = await call(fake, '/api/v3/oauth2/refresh_tokens/?provider=4&user=x');
    expect(both.status).toBe(400);
    expect(both.body).toEqual({ user: INVALID, provider: INVALID });
  });

  it('gives an ordinary user an empty page for another user id', async () => {
    const env = await list(fake, 'user=9', jsmith);
    expect(env.pagination.count).toBe(0);
    expect(env.results).toEqual([]);
  });

  it('lets the last repeated value win and ignores an empty value', async () => {
    const own = fake.data.visibleGrants(jsmith).length;
    expect((await list(fake, 'user=9&user=7', jsmith)).pagination.count).toBe(own);
    expect((await list(fake, 'user=', jsmith)).pagination.count).toBe(own);
  });
});

describe('search', () => {
  it('is ignored', async () => {
    expect(await list(fake, 'search=smith&ordering=pk')).toEqual(await list(fake, 'ordering=pk'));
  });

  it('rejects NUL characters with a bare list', async () => {
    const res = await call(fake, '/api/v3/oauth2/refresh_tokens/?search=a%00b');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['Null characters are not allowed.']);
  });
});

describe('include_groups / include_roles', () => {
  it('nulls groups_obj and roles_obj independently', async () => {
    const noGroups = await list(fake, 'include_groups=false');
    expect(
      noGroups.results.every(
        (t) => t.user['groups_obj'] === null && Array.isArray(t.user['roles_obj']),
      ),
    ).toBe(true);
    expect(noGroups.results.every((t) => Array.isArray(t.user['groups']))).toBe(true);
    const noRoles = await list(fake, 'include_roles=false');
    expect(
      noRoles.results.every(
        (t) => t.user['roles_obj'] === null && Array.isArray(t.user['groups_obj']),
      ),
    ).toBe(true);
    const user = await call(fake, '/api/v3/core/users/7/?include_groups=false');
    expect((user.body as Record<string, unknown>)['groups_obj']).toBeNull();
  });
});
