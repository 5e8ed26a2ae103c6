import { describe, expect, it } from 'vitest';
import { codesOf, startGateway, useGateway } from '../helpers/gateway.js';
import type { ConnectionVars } from '../helpers/connections.js';
import {
  countListCalls,
  DEFAULT_ORDERING,
  fetchErrors,
  fetchPage,
  pksOf,
  restList,
} from '../helpers/connections.js';

const gw = useGateway();

describe('cost: stop at the window plus one row unless totalCount is selected', () => {
  it.each<[string, ConnectionVars, number, number]>([
    // [label, vars, calls without totalCount, calls with totalCount]
    ['matches in the first page', { first: 5, search: 'grafana' }, 1, 3],
    ['matches only at the end', { first: 5, search: '"old wiki"' }, 3, 3],
    ['isExpired: false', { first: 20, filter: { isExpired: false } }, 1, 3],
    ['narrowed by userPk', { first: 5, search: 'grafana', filter: { userPk: 7 } }, 1, 1],
    ['last without before, matches at the end', { last: 3, search: '"old wiki"' }, 1, 3],
    ['last without before, isExpired: false', { last: 20, filter: { isExpired: false } }, 1, 3],
  ])('%s', async (_label, vars, withoutCount, withCount) => {
    const lean = await countListCalls(gw, () => fetchPage(gw, vars));
    expect(lean.calls).toHaveLength(withoutCount);
    const counted = await countListCalls(gw, () => fetchPage(gw, vars, { withCount: true }));
    expect(counted.calls).toHaveLength(withCount);
    expect(pksOf(counted.result)).toEqual(pksOf(lean.result));
  });
});

describe('SEARCH_SCAN_LIMIT', () => {
  const limited = useGateway({ env: { SEARCH_SCAN_LIMIT: '50' } });

  it.each<[string, ConnectionVars, boolean]>([
    ['a search whose matches lie past the limit', { first: 5, search: '"old wiki"' }, false],
    ['totalCount of a search over the whole list', { first: 5, search: 'grafana' }, true],
    ['totalCount of an isExpired filter', { first: 5, filter: { isExpired: true } }, true],
  ])('refuses %s with SEARCH_TOO_BROAD', async (_label, vars, withCount) => {
    const { result: errors, calls } = await countListCalls(limited, () =>
      fetchErrors(limited, vars, { withCount }),
    );
    expect(codesOf(errors)).toEqual(['SEARCH_TOO_BROAD']);
    const { message } = errors[0]!;
    expect(message).toContain('300'); // the rows it would have to read
    expect(message).toContain('50');
    expect(message).toContain('providerPk');
    expect(message).toContain('userPk');
    expect(calls.length).toBeLessThanOrEqual(1);
  });

  it.each<[string, ConnectionVars, boolean]>([
    ['a search answered within the limit', { first: 5, search: 'grafana' }, false],
    ['a count narrowed by userPk', { first: 5, search: 'grafana', filter: { userPk: 16 } }, true],
    ['the last rows of a search, read from the end', { last: 3, search: '"old wiki"' }, false],
    [
      'a filter narrowed by providerPk',
      { first: 5, filter: { providerPk: 21, isExpired: false } },
      true,
    ],
  ])('allows %s', async (_label, vars, withCount) => {
    const page = await fetchPage(limited, vars, { withCount });
    expect(page.edges.length).toBeGreaterThan(0);
  });

  it.each([
    [91, true],
    [90, false],
  ])('with limit %i, counting user 7’s 91 tokens is allowed: %s', async (limit, allowed) => {
    const exact = await startGateway({ env: { SEARCH_SCAN_LIMIT: String(limit) } });
    try {
      const vars: ConnectionVars = { first: 5, filter: { userPk: 7, isExpired: true } };
      if (allowed) {
        const expected = restList(exact.fake, { ordering: DEFAULT_ORDERING, user: 7 }).filter(
          (t) => t.is_expired,
        );
        expect((await fetchPage(exact, vars, { withCount: true })).totalCount).toBe(
          expected.length,
        );
      } else {
        const errors = await fetchErrors(exact, vars, { withCount: true });
        expect(codesOf(errors)).toEqual(['SEARCH_TOO_BROAD']);
        expect(errors[0]!.message).toContain('91');
      }
    } finally {
      await exact.close();
    }
  });
});
