import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { call } from './helpers.js';

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik();
});
afterAll(() => fake.close());

const USERS = '/api/v3/core/users/';
const served = (pk: number) => fake.data.users.find((u) => u['pk'] === pk);
const uuidOf = (pk: number) => fake.data.records.users.find((u) => u.pk === pk)?.uuid ?? '';

interface UserList {
  pagination: { count: number; next: number; total_pages: number };
  results: Record<string, unknown>[];
  autocomplete?: unknown;
}

describe('GET /core/users/ (superuser)', () => {
  it('lists every user ordered by username, paginated', async () => {
    const res = await call(fake, `${USERS}?page_size=5`);
    expect(res.status).toBe(200);
    const body = res.body as UserList;
    const usernames = fake.data.records.users.map((u) => u.username).sort();
    expect(body.pagination.count).toBe(usernames.length);
    expect(body.results.map((u) => u['username'])).toEqual(usernames.slice(0, 5));
    expect(body).toHaveProperty('autocomplete', {});
  });

  it.each([
    ['the uuid', () => uuidOf(9), [9]],
    ['the uuid in capitals without dashes', () => uuidOf(9).replaceAll('-', '').toUpperCase(), [9]],
    ['an unknown uuid', () => '00000000-0000-4000-8000-000000000000', []],
  ])('filters by uuid: %s', async (_label, uuid, pks) => {
    const body = (await call(fake, `${USERS}?uuid=${uuid()}`)).body as UserList;
    expect(body.pagination.count).toBe(pks.length);
    expect(body.results).toEqual(pks.map(served));
  });

  it('filters by username', async () => {
    const body = (await call(fake, `${USERS}?username=jsmith`)).body as UserList;
    expect(body.results).toEqual([served(7)]);
  });

  it('leaves groups_obj out with include_groups=false', async () => {
    const body = (await call(fake, `${USERS}?uuid=${uuidOf(7)}&include_groups=false`))
      .body as UserList;
    expect(body.results[0]).toHaveProperty('groups_obj', null);
  });

  it('rejects a malformed uuid with 400', async () => {
    const res = await call(fake, `${USERS}?uuid=nope`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ uuid: ['Enter a valid UUID.'] });
  });
});

describe('GET /core/users/ (others)', () => {
  it.each([
    ['an ordinary user', 'demo-token-jsmith', 'You do not have permission to perform this action.'],
    ['no credentials', null, 'Authentication credentials were not provided.'],
  ])('answers 403 to %s', async (_label, bearer, detail) => {
    const res = await call(fake, `${USERS}?uuid=${uuidOf(7)}`, bearer);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail });
  });
});
