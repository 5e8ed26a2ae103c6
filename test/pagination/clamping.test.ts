import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/gateway.js';
import { startGateway } from '../helpers/gateway.js';
import type { ConnectionVars } from '../helpers/connections.js';
import {
  countListCalls,
  cursorAt,
  DEFAULT_ORDERING,
  fetchPage,
  grantMatchesSearch,
  LIST_PATH,
  pksOf,
  restList,
  walkForward,
} from '../helpers/connections.js';

const open: TestGateway[] = [];

// A gateway whose authentik tenant serves at most `max` rows per page (it clamps page_size silently).
async function clampedGateway(max: number): Promise<TestGateway> {
  const gw = await startGateway();
  open.push(gw);
  gw.fake.setOptions({ maxPageSize: max });
  return gw;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((gw) => gw.close()));
});

const pageSizesOf = (calls: URLSearchParams[]) => calls.map((c) => Number(c.get('page_size')));

describe('a tenant that clamps page_size below 100', () => {
  it.each([
    // [tenant maximum, first]
    [30, 100],
    [30, 45],
    [7, 20],
    [50, 100],
  ])(
    'maximum %i: first: %i still returns the right rows, then reuses what it learned',
    async (max, first) => {
      const gw = await clampedGateway(max);
      const all = restList(gw.fake, { ordering: DEFAULT_ORDERING }).map((t) => t.pk);
      const bound = (n: number) => Math.ceil(n / max) + 1;

      const learning = await countListCalls(gw, () => fetchPage(gw, { first }));
      expect(pksOf(learning.result)).toEqual(all.slice(0, first));
      expect(learning.calls.length).toBeLessThanOrEqual(bound(first));

      // A later request (same origin) plans with the learned maximum from its first call on.
      const after = learning.result.pageInfo.endCursor;
      const later = await countListCalls(gw, () => fetchPage(gw, { first, after }));
      expect(pksOf(later.result)).toEqual(all.slice(first, 2 * first));
      expect(later.calls.length).toBeLessThanOrEqual(bound(first));
      expect(Math.max(...pageSizesOf(later.calls))).toBeLessThanOrEqual(max);
    },
  );

  it('learns from a clamped last page too (last without before)', async () => {
    const gw = await clampedGateway(30);
    const all = restList(gw.fake, { ordering: DEFAULT_ORDERING }).map((t) => t.pk);
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { last: 50 }, { withCount: true }),
    );
    expect(pksOf(result)).toEqual(all.slice(-50));
    expect(result.totalCount).toBe(300);
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(50 / 30) + 1);
    const later = await countListCalls(gw, () => fetchPage(gw, { last: 30 }));
    expect(pksOf(later.result)).toEqual(all.slice(-30));
    expect(later.calls).toHaveLength(1);
    expect(pageSizesOf(later.calls)).toEqual([30]);
  });

  it('a short filtered list whose only full page is clamped', async () => {
    const gw = await clampedGateway(5);
    const expected = restList(gw.fake, { ordering: DEFAULT_ORDERING, user: 16 }).map((t) => t.pk);
    expect(expected).toHaveLength(13);
    const backward = await countListCalls(gw, () =>
      fetchPage(gw, { last: 10, filter: { userPk: 16 } }),
    );
    expect(pksOf(backward.result)).toEqual(expected.slice(-10));
    expect(backward.calls.length).toBeLessThanOrEqual(Math.ceil(10 / 5) + 1);
    const forward = await fetchPage(gw, { first: 100, filter: { userPk: 16 } });
    expect(pksOf(forward)).toEqual(expected);
  });

  it('notices a tenant that starts clamping after the gateway learned 100', async () => {
    const gw = await startGateway();
    open.push(gw);
    const all = restList(gw.fake, { ordering: DEFAULT_ORDERING }).map((t) => t.pk);
    expect(pksOf(await fetchPage(gw, { first: 100 }))).toEqual(all.slice(0, 100));
    gw.fake.setOptions({ maxPageSize: 30 });
    const after = await cursorAt(gw, {}, 9);
    expect(pksOf(await fetchPage(gw, { first: 80, after }))).toEqual(all.slice(10, 90));
  });

  it.each<[string, ConnectionVars, string]>([
    ['default order', {}, DEFAULT_ORDERING],
    ['EXPIRES DESC', { orderBy: [{ field: 'EXPIRES', direction: 'DESC' }] }, '-expires,pk'],
  ])(
    'walking the whole list (%s) with first: 100 equals the REST list',
    async (_label, vars, ordering) => {
      const gw = await clampedGateway(30);
      const expected = restList(gw.fake, { ordering }).map((t) => t.pk);
      const { result, calls } = await countListCalls(gw, () => walkForward(gw, vars, 100));
      expect(result.pks).toEqual(expected);
      // 300 rows at 30 per page, plus at most one extra call for each of the three requests.
      expect(calls.length).toBeLessThanOrEqual(10 + 3);
    },
  );

  it('a search scan under a clamped maximum still finds every matching row', async () => {
    const gw = await clampedGateway(30);
    const expected = restList(gw.fake, { ordering: DEFAULT_ORDERING })
      .filter((t) => grantMatchesSearch(t, ['grafana']))
      .map((t) => t.pk);
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { first: 100, search: 'grafana' }, { withCount: true }),
    );
    expect(result.totalCount).toBe(expected.length);
    expect(pksOf(result)).toEqual(expected.slice(0, 100));
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(300 / 30) + 1);
  });

  it('keeps what it learned per origin: another authentik is not affected', async () => {
    const clamped = await clampedGateway(30);
    await fetchPage(clamped, { first: 100 });
    const other = await startGateway();
    open.push(other);
    const { result, calls } = await countListCalls(other, () => fetchPage(other, { first: 100 }));
    expect(result.edges).toHaveLength(100);
    expect(calls).toHaveLength(1);
    expect(pageSizesOf(calls)).toEqual([100]);
  });

  it('tries the largest page size again after PAGE_SIZE_REPROBE_MS', async () => {
    const gw = await startGateway({ env: { PAGE_SIZE_REPROBE_MS: '1000' } });
    open.push(gw);
    gw.fake.setOptions({ maxPageSize: 30 });
    await fetchPage(gw, { first: 100 });
    expect(
      pageSizesOf((await countListCalls(gw, () => fetchPage(gw, { first: 30 }))).calls),
    ).toEqual([30]);
    gw.fake.setOptions({ maxPageSize: undefined });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { result, calls } = await countListCalls(gw, () => fetchPage(gw, { first: 100 }));
    expect(result.edges).toHaveLength(100);
    expect(pageSizesOf(calls)).toEqual([100]);
  });
});

// authentik counts the rows, then selects the page: a row deleted in between (a revoke) makes a
// page short although it is not the last. That is this request's problem, not the tenant's size.
describe('a short page in the middle of a list', () => {
  it("is completed within its request and changes no later caller's plan", async () => {
    const gw = await startGateway();
    open.push(gw);
    const all = restList(gw.fake, { ordering: DEFAULT_ORDERING }).map((t) => t.pk);
    gw.fake.fault({ mode: 'shortPage', times: 1, pathPrefix: LIST_PATH });
    const short = await countListCalls(gw, () => fetchPage(gw, { first: 100 }));
    expect(pksOf(short.result)).toEqual(all.slice(0, 100));
    // The missing row is read on its own: one more call, in this request only.
    expect(pageSizesOf(short.calls)).toEqual([100, 1]);

    const next = await countListCalls(gw, () => fetchPage(gw, { first: 100 }));
    expect(pksOf(next.result)).toEqual(all.slice(0, 100));
    expect(pageSizesOf(next.calls)).toEqual([100]);
    const scan = await countListCalls(gw, () =>
      fetchPage(gw, { first: 100, search: 'grafana' }, { withCount: true }),
    );
    expect(pageSizesOf(scan.calls)).toEqual([100, 100, 100]);
  });
});
