import { describe, expect, it } from 'vitest';
import type { ServedToken } from '../../src/fake-authentik/types.js';
import { codesOf, useGateway } from '../helpers/gateway.js';
import type { ConnectionVars } from '../helpers/connections.js';
import {
  DEFAULT_ORDERING,
  countListCalls,
  fetchErrors,
  fetchPage,
  pksOf,
  restList,
  grantMatchesSearch,
  walkBackward,
  walkForward,
} from '../helpers/connections.js';

const gw = useGateway();
// What authentik lists in its default order: the oracle each search and filter is checked against.
const all = () => restList(gw.fake, { ordering: DEFAULT_ORDERING });

const pks = (tokens: ServedToken[]) => tokens.map((t) => t.pk);

describe('search: every term must match a user, provider, application or scope text', () => {
  it.each<[string, string[]]>([
    ['grafana', ['grafana']],
    ['GRAFANA', ['grafana']],
    ['smith', ['smith']],
    ['john smith', ['john', 'smith']],
    ['"john smith"', ['john smith']],
    ['"Hernández Smith"', ['hernández smith']],
    ['smith,grafana', ['smith', 'grafana']],
    ['partner.example', ['partner.example']],
    ['goauthentik.io/api', ['goauthentik.io/api']],
    ['jenkins ci', ['jenkins', 'ci']],
    ['"Jenkins CI"', ['jenkins ci']],
    ['acme-mobile', ['acme-mobile']],
    ['garcía', ['garcía']],
    ['groups offline_access', ['groups', 'offline_access']],
    ['"(unassigned)"', ['(unassigned)']],
    ['no-token-matches-this', ['no-token-matches-this']],
  ])('search %j matches the terms %j', async (search, terms) => {
    const expected = all().filter((t) => grantMatchesSearch(t, terms));
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { first: 100, search }, { withCount: true }),
    );
    expect(result.totalCount).toBe(expected.length);
    expect(pksOf(result)).toEqual(pks(expected).slice(0, 100));
    // totalCount selected: the whole list is read, once, at the largest page size.
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call.get('page_size')).toBe('100');
      expect(call.get('ordering')).toBe(DEFAULT_ORDERING);
    }
  });

  it('the oracle is not vacuous: searches select different, non-empty sets', () => {
    const sizes = ['grafana', 'smith', 'jenkins ci', 'john smith'].map(
      (s) => all().filter((t) => grantMatchesSearch(t, s.split(' '))).length,
    );
    expect(new Set(sizes).size).toBe(4);
    for (const size of sizes) expect(size).toBeGreaterThan(0);
  });

  it('refuses a NUL character naming the argument', async () => {
    const errors = await fetchErrors(gw, { search: 'a\u0000b' });
    expect(codesOf(errors)).toEqual(['BAD_USER_INPUT']);
    expect(errors[0]!.message).toContain('"search"');
  });
});

describe('isExpired and revoked (applied by the gateway)', () => {
  it.each<[ConnectionVars['filter'], (t: ServedToken) => boolean]>([
    [{ isExpired: true }, (t) => t.is_expired],
    [{ isExpired: false }, (t) => !t.is_expired],
    [{ revoked: true }, (t) => t.revoked],
    [{ revoked: false }, (t) => !t.revoked],
    [{ isExpired: false, revoked: false }, (t) => !t.is_expired && !t.revoked],
    [{ isExpired: true, revoked: true }, (t) => t.is_expired && t.revoked],
  ])('filter %j selects the rows authentik reports that way', async (filter, predicate) => {
    const expected = all().filter(predicate);
    expect(expected.length).toBeGreaterThan(0);
    const page = await fetchPage(gw, { first: 50, filter }, { withCount: true });
    expect(page.totalCount).toBe(expected.length);
    expect(pksOf(page)).toEqual(pks(expected).slice(0, 50));
  });

  it('combines with providerPk (sent upstream) and search', async () => {
    const narrowed = restList(gw.fake, { ordering: DEFAULT_ORDERING, provider: 3 });
    const expected = narrowed.filter((t) => !t.is_expired && grantMatchesSearch(t, ['smith']));
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(
        gw,
        { first: 100, search: 'smith', filter: { providerPk: 3, isExpired: false } },
        { withCount: true },
      ),
    );
    expect(result.totalCount).toBe(expected.length);
    expect(pksOf(result)).toEqual(pks(expected));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.get('provider')).toBe('3');
  });
});

describe('cursors over the filtered sequence', () => {
  it.each<[string, ConnectionVars, string, (t: ServedToken) => boolean]>([
    [
      'search "smith", EXPIRES DESC',
      { search: 'smith', orderBy: [{ field: 'EXPIRES', direction: 'DESC' }] },
      '-expires,pk',
      (t) => grantMatchesSearch(t, ['smith']),
    ],
    [
      'isExpired: false, default order',
      { filter: { isExpired: false } },
      DEFAULT_ORDERING,
      (t) => !t.is_expired,
    ],
    [
      'revoked: true, by USER',
      { filter: { revoked: true }, orderBy: [{ field: 'USER' }] },
      'user,pk',
      (t) => t.revoked,
    ],
    [
      'search "grafana" + isExpired: true',
      { search: 'grafana', filter: { isExpired: true } },
      DEFAULT_ORDERING,
      (t) => t.is_expired && grantMatchesSearch(t, ['grafana']),
    ],
    [
      'search "Old Wiki" (at the end)',
      { search: '"old wiki"' },
      DEFAULT_ORDERING,
      (t) => grantMatchesSearch(t, ['old wiki']),
    ],
  ])(
    '%s: walking forward and backward equals the filtered REST list',
    async (_label, vars, ordering, predicate) => {
      const expected = pks(restList(gw.fake, { ordering }).filter(predicate));
      expect(expected.length).toBeGreaterThan(3);
      const forward = await walkForward(gw, vars, 7);
      const backward = await walkBackward(gw, vars, 9);
      expect(forward.pks).toEqual(expected);
      expect(backward.pks).toEqual(expected);
      // pageInfo is true in both directions on every page but the ends.
      forward.pages.forEach((page, i) => {
        expect(page.pageInfo.hasPreviousPage).toBe(i > 0);
        expect(page.pageInfo.hasNextPage).toBe(i < forward.pages.length - 1);
      });
      backward.pages.forEach((page, i) => {
        expect(page.pageInfo.hasPreviousPage).toBe(i > 0);
        expect(page.pageInfo.hasNextPage).toBe(i < backward.pages.length - 1);
      });
    },
  );

  it.each<[string, ConnectionVars]>([
    ['search "smith"', { search: 'smith' }],
    ['revoked: false', { filter: { revoked: false } }],
  ])('%s: after and before bound first and last from both sides', async (_label, vars) => {
    const walk = await walkForward(gw, vars, 100);
    const cursors = walk.pages.flatMap((page) => page.edges.map((edge) => edge.cursor));
    const listed = walk.pks;
    const [after, before] = [cursors[3]!, cursors[15]!];
    const cases: [ConnectionVars, number[]][] = [
      [{ first: 5, after, before }, listed.slice(4, 9)],
      [{ last: 5, after, before }, listed.slice(10, 15)],
      [{ first: 50, after, before }, listed.slice(4, 15)],
      [{ last: 4, after }, listed.slice(-4)],
      [{ last: 50, after }, listed.slice(4).slice(-50)],
      [{ first: 3, before }, listed.slice(0, 3)],
    ];
    for (const [window, expected] of cases) {
      const page = await fetchPage(gw, { ...vars, ...window });
      expect(pksOf(page), JSON.stringify(window)).toEqual(expected);
      expect(page.pageInfo.hasPreviousPage, JSON.stringify(window)).toBe(
        listed.indexOf(expected[0]!) > 0,
      );
      expect(page.pageInfo.hasNextPage, JSON.stringify(window)).toBe(
        listed.indexOf(expected.at(-1)!) < listed.length - 1,
      );
    }
  });

  it('a filtered page after a cursor does not rescan from the start', async () => {
    const first = await fetchPage(gw, { first: 10, search: 'grafana' });
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { first: 10, search: 'grafana', after: first.pageInfo.endCursor }),
    );
    const expected = pks(all().filter((t) => grantMatchesSearch(t, ['grafana'])));
    expect(pksOf(result)).toEqual(expected.slice(10, 20));
    expect(calls).toHaveLength(1);
  });
});

describe('providerPk / userPk go upstream as provider / user', () => {
  it.each<[ConnectionVars['filter'], Record<string, string>]>([
    [{ providerPk: 5 }, { provider: '5' }],
    [{ userPk: 7 }, { user: '7' }],
    [
      { providerPk: 8, userPk: 15 },
      { provider: '8', user: '15' },
    ],
    [
      { providerPk: 8, userPk: 15, revoked: false },
      { provider: '8', user: '15' },
    ],
  ])('filter %j sends %j', async (filter, params) => {
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { first: 100, filter }, { withCount: true }),
    );
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      for (const [name, value] of Object.entries(params)) expect(call.get(name)).toBe(value);
    }
    const expected = restList(gw.fake, {
      ordering: DEFAULT_ORDERING,
      provider: filter?.providerPk ?? undefined,
      user: filter?.userPk ?? undefined,
    }).filter((t) => filter?.revoked === undefined || t.revoked === filter.revoked);
    expect(result.totalCount).toBe(expected.length);
    expect(pksOf(result)).toEqual(pks(expected));
  });

  const INVALID = ['Select a valid choice. That choice is not one of the available choices.'];
  it.each<[string, ConnectionVars, Record<string, string[]>]>([
    ['an unknown provider', { filter: { providerPk: 9999 } }, { provider: INVALID }],
    ['an unknown user', { filter: { userPk: 9999 } }, { user: INVALID }],
    [
      'both unknown',
      { filter: { providerPk: 9999, userPk: 9998 } },
      { user: INVALID, provider: INVALID },
    ],
    ['an unknown user with a search', { search: 'x', filter: { userPk: 9999 } }, { user: INVALID }],
  ])(
    '%s: authentik’s 400 becomes BAD_USER_INPUT with its field messages',
    async (_label, vars, upstreamErrors) => {
      const errors = await fetchErrors(gw, vars);
      expect(codesOf(errors)).toEqual(['BAD_USER_INPUT']);
      expect(errors[0]!.extensions?.upstreamErrors).toEqual(upstreamErrors);
      // The message names the argument the client wrote, not authentik's query parameter.
      expect(errors[0]!.message).toContain(`filter.${Object.keys(upstreamErrors)[0]!}Pk`);
    },
  );
});
