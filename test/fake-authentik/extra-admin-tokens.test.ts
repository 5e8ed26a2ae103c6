import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { call } from './helpers.js';

const LIST = '/api/v3/oauth2/refresh_tokens/?ordering=pk&page_size=20';

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik({ extraAdminTokens: 3 });
});
afterAll(() => fake.close());

describe('extra API tokens of the superuser (many callers, one identity)', () => {
  it('lists them in order, none without the option', async () => {
    expect(fake.tokens.extraAdmin).toEqual([
      'demo-admin-token-1',
      'demo-admin-token-2',
      'demo-admin-token-3',
    ]);
    const plain = await startFakeAuthentik();
    expect(plain.tokens.extraAdmin).toEqual([]);
    expect((await call(plain, LIST, 'demo-admin-token-1')).status).toBe(403);
    await plain.close();
  });

  it.each(['demo-admin-token-1', 'demo-admin-token-3'])(
    '%s sees what demo-admin-token sees',
    async (token) => {
      const [extra, admin] = await Promise.all([
        call(fake, LIST, token),
        call(fake, LIST, fake.tokens.admin),
      ]);
      expect(extra.status).toBe(200);
      expect(extra.text).toBe(admin.text);
    },
  );

  it('knows no token past the count', async () => {
    expect((await call(fake, LIST, 'demo-admin-token-4')).status).toBe(403);
  });
});
