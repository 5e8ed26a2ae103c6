import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import type { Page } from '../helpers/connections.js';
import {
  countListCalls,
  cursorAt,
  DEFAULT_ORDERING,
  fetchPage,
  fewestPages,
  pksOf,
  restList,
} from '../helpers/connections.js';

const gw = useGateway();
// The pks authentik lists in its default order: what every window below is a slice of.
const all = () => restList(gw.fake, { ordering: DEFAULT_ORDERING }).map((t) => t.pk);

// A page without rows: no edges and null cursors, the list's count, and what lies either side.
function expectNoRows(
  page: Page,
  totalCount: number,
  around: { hasNextPage: boolean; hasPreviousPage: boolean },
): void {
  expect(page).toEqual({
    totalCount,
    edges: [],
    pageInfo: { ...around, startCursor: null, endCursor: null },
  });
}

describe('window sizes', () => {
  it('gives the first 20 rows when neither first nor last is given, in one call', async () => {
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, {}, { withCount: true }),
    );
    expect(pksOf(result)).toEqual(all().slice(0, 20));
    expect(result.totalCount).toBe(300);
    expect(result.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.get('page_size')).toBe('20');
    expect(calls[0]!.get('page')).toBe('1');
  });

  it.each([1, 7, 20, 63, 100])('first: %i is the first rows, one call', async (first) => {
    const { result, calls } = await countListCalls(gw, () => fetchPage(gw, { first }));
    expect(pksOf(result)).toEqual(all().slice(0, first));
    expect(calls).toHaveLength(1);
  });

  it.each([1, 20, 100])('last: %i without before is the last rows, one call', async (last) => {
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { last }, { withCount: true }),
    );
    expect(pksOf(result)).toEqual(all().slice(-last));
    expect(result.totalCount).toBe(300);
    expect(result.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: last < 300,
    });
    // The last page at the largest size tells the count and holds these rows.
    expect(calls).toHaveLength(1);
  });

  it('last without before on a list whose last page is short costs at most one extra call', async () => {
    const user7 = restList(gw.fake, { ordering: DEFAULT_ORDERING, user: 7 }).map((t) => t.pk);
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { last: 20, filter: { userPk: 7 } }),
    );
    expect(pksOf(result)).toEqual(user7.slice(-20));
    expect(calls.length).toBeLessThanOrEqual(2);
  });

  it('first: 0 gives no rows but true pageInfo', async () => {
    const page = await fetchPage(gw, { first: 0 }, { withCount: true });
    expectNoRows(page, 300, { hasNextPage: true, hasPreviousPage: false });
  });
});

describe('misaligned windows', () => {
  // The window `size` rows after (or before) the row at `index`: the right rows, true pageInfo,
  // and the fewest upstream calls (one when one page can cover the window, else two).
  async function expectWindow(side: 'after' | 'before', index: number, size: number) {
    const cursor = await cursorAt(gw, {}, index);
    const window =
      side === 'after' ? { first: size, after: cursor } : { last: size, before: cursor };
    const { result, calls } = await countListCalls(gw, () => fetchPage(gw, window));
    const [from, to] =
      side === 'after'
        ? [index + 1, Math.min(300, index + 1 + size)]
        : [Math.max(0, index - size), index];
    expect(pksOf(result)).toEqual(all().slice(from, to));
    expect(calls).toHaveLength(fewestPages(from, to, 100) === 1 ? 1 : 2);
    expect(result.pageInfo).toMatchObject({ hasPreviousPage: from > 0, hasNextPage: to < 300 });
  }

  it.each([
    // [index of the `after` row, first]
    [9, 20],
    [37, 50],
    [95, 20],
    [10, 100],
    [149, 100],
    [250, 49],
    [289, 20],
  ])(
    'after row %i, first: %i costs one call when one page can cover it, else two',
    (afterIndex, first) => expectWindow('after', afterIndex, first),
  );

  it.each([
    // [index of the `before` row, last]
    [50, 10],
    [33, 20],
    [120, 100],
    [299, 37],
    [5, 20],
  ])(
    'before row %i, last: %i costs one call when one page can cover it, else two',
    (beforeIndex, last) => expectWindow('before', beforeIndex, last),
  );
});

describe('both ends of the list', () => {
  it('an empty result: no edges, null cursors, nothing before or after, count 0', async () => {
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { filter: { userPk: 103 } }, { withCount: true }),
    );
    expectNoRows(result, 0, { hasNextPage: false, hasPreviousPage: false });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.get('user')).toBe('103');
  });

  it('last with no rows at all is empty too', async () => {
    const page = await fetchPage(gw, { last: 5, filter: { userPk: 103 } }, { withCount: true });
    expectNoRows(page, 0, { hasNextPage: false, hasPreviousPage: false });
  });

  it('the last page ends the list, and paging past it is empty', async () => {
    const after = await cursorAt(gw, {}, 289);
    const last = await fetchPage(gw, { first: 20, after }, { withCount: true });
    expect(pksOf(last)).toEqual(all().slice(290));
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const past = await fetchPage(
      gw,
      { first: 20, after: last.pageInfo.endCursor },
      { withCount: true },
    );
    expectNoRows(past, 300, { hasNextPage: false, hasPreviousPage: true });
  });

  it('before the first row is empty with rows after it', async () => {
    const first = await fetchPage(gw, { first: 3 });
    const page = await fetchPage(gw, { last: 5, before: first.pageInfo.startCursor });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('pageInfo is true to the data in both directions, mid-list', async () => {
    const cursor = await cursorAt(gw, {}, 50);
    const forward = await fetchPage(gw, { first: 10, after: cursor });
    const backward = await fetchPage(gw, { last: 10, before: cursor });
    expect(pksOf(forward)).toEqual(all().slice(51, 61));
    expect(pksOf(backward)).toEqual(all().slice(40, 50));
    for (const page of [forward, backward]) {
      expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
      expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
    }
  });

  it('after and before together bound the window from both sides', async () => {
    const after = await cursorAt(gw, {}, 100);
    const before = await cursorAt(gw, {}, 110);
    const firstRows = await fetchPage(gw, { first: 5, after, before });
    const lastRows = await fetchPage(gw, { last: 5, after, before });
    const everything = await fetchPage(gw, { first: 50, after, before });
    expect(pksOf(firstRows)).toEqual(all().slice(101, 106));
    expect(pksOf(lastRows)).toEqual(all().slice(105, 110));
    expect(pksOf(everything)).toEqual(all().slice(101, 110));
    expect(everything.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const lastAfter = await fetchPage(gw, { last: 5, after });
    expect(pksOf(lastAfter)).toEqual(all().slice(-5));
    expect(lastAfter.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const firstBefore = await fetchPage(gw, { first: 5, before });
    expect(pksOf(firstBefore)).toEqual(all().slice(0, 5));
    expect(firstBefore.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('a cursor keeps pointing at the row it was issued for on a later request', async () => {
    const page = await fetchPage(gw, { first: 30 });
    const again = await fetchPage(gw, { first: 1, after: page.edges[9]!.cursor });
    expect(pksOf(again)).toEqual([all()[10]]);
  });
});

describe('totalCount', () => {
  it.each([
    [{}, undefined, undefined],
    [{ providerPk: 5 }, 5, undefined],
    [{ userPk: 7 }, undefined, 7],
    [{ providerPk: 3, userPk: 7 }, 3, 7],
  ])('with filter %j is the upstream count', async (filter, provider, user) => {
    const expected = restList(gw.fake, { ordering: DEFAULT_ORDERING, provider, user });
    const page = await fetchPage(gw, { first: 5, filter }, { withCount: true });
    expect(page.totalCount).toBe(expected.length);
    expect(pksOf(page)).toEqual(expected.slice(0, 5).map((t) => t.pk));
  });
});
