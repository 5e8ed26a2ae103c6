import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { paginationFor } from '../../src/fake-authentik/listing.js';
import { call, list } from './helpers.js';
import { expectedResponse } from './expected.js';

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik();
});
afterAll(() => fake.close());

describe('pagination envelope', () => {
  it('first page with the default size', async () => {
    const env = await list(fake);
    expect(env.pagination).toEqual({
      next: 2,
      previous: 0,
      count: 300,
      current: 1,
      total_pages: 15,
      start_index: 1,
      end_index: 20,
    });
    expect(env.results).toHaveLength(20);
    expect(env.autocomplete).toEqual({});
    expect(Object.keys(env)).toEqual(['pagination', 'results', 'autocomplete']);
  });

  it('a middle page', async () => {
    const env = await list(fake, 'page=7&page_size=20');
    expect(env.pagination).toEqual({
      next: 8,
      previous: 6,
      count: 300,
      current: 7,
      total_pages: 15,
      start_index: 121,
      end_index: 140,
    });
  });

  it('the last page (by number and by `last`), shorter than the size', async () => {
    const expected = {
      next: 0,
      previous: 42,
      count: 300,
      current: 43,
      total_pages: 43,
      start_index: 295,
      end_index: 300,
    };
    const byNumber = await list(fake, 'page=43&page_size=7&ordering=pk');
    const byLast = await list(fake, 'page=last&page_size=7&ordering=pk');
    expect(byNumber.pagination).toEqual(expected);
    expect(byLast.pagination).toEqual(expected);
    expect(byLast.results.map((t) => t.pk)).toEqual(byNumber.results.map((t) => t.pk));
    expect(byLast.results).toHaveLength(6);
  });

  it('an empty result on page 1', async () => {
    const dormant = fake.tokens.users['dormant'] ?? '';
    const env = await list(fake, '', dormant);
    expect(env.pagination).toEqual({
      next: 0,
      previous: 0,
      count: 0,
      current: 1,
      total_pages: 1,
      start_index: 0,
      end_index: 0,
    });
    expect(env.results).toEqual([]);
    expect((await call(fake, '/api/v3/oauth2/refresh_tokens/?page=2', dormant)).status).toBe(404);
  });

  it('matches paginationFor and expectedResponse', async () => {
    for (const [size, page] of [
      [13, 1],
      [13, 12],
      [13, 23],
      [100, 3],
      [50, 6],
    ] as const) {
      const env = await list(fake, `page=${page}&page_size=${size}&ordering=-pk`);
      expect(env.pagination).toEqual(paginationFor(300, size, page));
      const path = `/api/v3/oauth2/refresh_tokens/?page=${page}&page_size=${size}&ordering=-pk`;
      expect(env).toEqual(expectedResponse(fake, path, fake.tokens.admin).body);
    }
  });
});

describe('page_size', () => {
  it('is silently clamped to the maximum', async () => {
    const env = await list(fake, 'page_size=500');
    expect(env.results).toHaveLength(100);
    expect(env.pagination).toMatchObject({ end_index: 100, total_pages: 3, next: 2 });
  });

  it('follows a tenant maximum set at run time', async () => {
    fake.setOptions({ maxPageSize: 50 });
    try {
      const env = await list(fake, 'page_size=80');
      expect(env.results).toHaveLength(50);
      expect(env.pagination.total_pages).toBe(6);
    } finally {
      fake.setOptions({ maxPageSize: undefined });
    }
    expect((await list(fake, 'page_size=80')).results).toHaveLength(80);
  });

  it.each(['0', '-5', 'abc', '2.5', '', '1e2'])(
    'falls back to the default for %j',
    async (size) => {
      const env = await list(fake, `page_size=${size}`);
      expect(env.results).toHaveLength(20);
      expect(env.pagination.total_pages).toBe(15);
    },
  );

  it('accepts what Python int() accepts', async () => {
    expect((await list(fake, 'page_size=%207%20')).results).toHaveLength(7);
    expect((await list(fake, 'page_size=1_0')).results).toHaveLength(10);
  });

  it('uses a custom default page size', async () => {
    fake.setOptions({ defaultPageSize: 30 });
    try {
      expect((await list(fake)).results).toHaveLength(30);
    } finally {
      fake.setOptions({ defaultPageSize: undefined });
    }
  });
});

describe('page', () => {
  it.each(['0', '-1', 'abc', '1.5', '16', 'LAST', '999999999999999999999'])(
    'answers Invalid page. for %j',
    async (page) => {
      const res = await call(fake, `/api/v3/oauth2/refresh_tokens/?page=${page}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Invalid page.' });
      expect(res.contentType).toContain('application/json');
    },
  );

  it('treats an empty page as 1 and lets the last repeated value win', async () => {
    expect((await list(fake, 'page=')).pagination.current).toBe(1);
    expect((await list(fake, 'page=9&page=2')).pagination.current).toBe(2);
  });
});

describe('legacy-2024 paging', () => {
  it('defaults to 100 with no maximum and no autocomplete', async () => {
    const old = await startFakeAuthentik({ shape: 'legacy-2024' });
    try {
      const env = await list(old);
      expect(env.results).toHaveLength(100);
      expect('autocomplete' in env).toBe(false);
      expect((await list(old, 'page_size=1000')).results).toHaveLength(300);
      old.setOptions({ maxPageSize: 50 });
      expect((await list(old, 'page_size=1000')).results).toHaveLength(50);
    } finally {
      await old.close();
    }
  });
});
