import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import type { ConnectionVars } from '../helpers/connections.js';
import {
  countListCalls,
  fetchErrors,
  fetchPage,
  pksOf,
  restList,
  walkBackward,
  walkForward,
} from '../helpers/connections.js';

const gw = useGateway();

type OrderBy = NonNullable<ConnectionVars['orderBy']>;

// [label, the `ordering` parameter authentik must receive, orderBy]
const ORDERINGS: [string, string, OrderBy | undefined][] = [
  ['default', 'provider,expires,pk', undefined],
  ['empty list', 'provider,expires,pk', []],
  [
    'EXPIRES DESC, USER',
    '-expires,user,pk',
    [{ field: 'EXPIRES', direction: 'DESC' }, { field: 'USER' }],
  ],
  ['USER', 'user,pk', [{ field: 'USER' }]],
  ['PROVIDER DESC', '-provider,pk', [{ field: 'PROVIDER', direction: 'DESC' }]],
  [
    'REVOKED DESC, EXPIRES ASC',
    '-revoked,expires,pk',
    [
      { field: 'REVOKED', direction: 'DESC' },
      { field: 'EXPIRES', direction: 'ASC' },
    ],
  ],
  ['PK DESC', '-pk', [{ field: 'PK', direction: 'DESC' }]],
  ['PK then USER', 'pk,user', [{ field: 'PK' }, { field: 'USER' }]],
  ['USER, PK DESC', 'user,-pk', [{ field: 'USER' }, { field: 'PK', direction: 'DESC' }]],
  [
    'a repeated field',
    'user,-expires,pk',
    [
      { field: 'USER' },
      { field: 'EXPIRES', direction: 'DESC' },
      { field: 'USER', direction: 'DESC' },
    ],
  ],
];

describe('the ordering sent upstream', () => {
  it.each(ORDERINGS)('%s sends ordering=%s on every call', async (_label, ordering, orderBy) => {
    const { result, calls } = await countListCalls(gw, () =>
      fetchPage(gw, { orderBy, last: 30 }, { withCount: true }),
    );
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.get('ordering')).toBe(ordering);
    expect(pksOf(result)).toEqual(
      restList(gw.fake, { ordering })
        .slice(-30)
        .map((t) => t.pk),
    );
  });

  it('refuses an unknown order field before calling authentik', async () => {
    const { result: errors, calls } = await countListCalls(gw, () =>
      fetchErrors(gw, { orderBy: [{ field: 'NAME' }] }),
    );
    expect(errors[0]!.message).toMatch(/NAME/);
    expect(calls).toHaveLength(0);
  });
});

describe('walking the whole list equals the REST list (no duplicates, no gaps)', () => {
  // The fake swaps rows with equal keys between page requests unless the ordering has pk, as a
  // real database may: only the pk tie-breaker makes these walks come out right.
  it.each(ORDERINGS.filter(([label]) => label !== 'empty list'))(
    '%s (ordering=%s), forward and backward',
    async (_label, ordering, orderBy) => {
      const expected = restList(gw.fake, { ordering }).map((t) => t.pk);
      const forward = await walkForward(gw, { orderBy }, 37);
      const backward = await walkBackward(gw, { orderBy }, 41);
      expect(forward.pks).toEqual(expected);
      expect(backward.pks).toEqual(expected);
      expect(new Set(forward.pks).size).toBe(300);
      expect(forward.pages).toHaveLength(Math.ceil(300 / 37));
      expect(backward.pages).toHaveLength(Math.ceil(300 / 41));
    },
  );

  it('an ordinary user walks only their own tokens', async () => {
    const bearer = 'demo-token-jsmith';
    const expected = restList(gw.fake, { ordering: '-expires,pk', bearer }).map((t) => t.pk);
    expect(expected).toHaveLength(91);
    const orderBy: OrderBy = [{ field: 'EXPIRES', direction: 'DESC' }];
    const forward = await walkForward(gw, { orderBy }, 25, bearer);
    const backward = await walkBackward(gw, { orderBy }, 25, bearer);
    expect(forward.pks).toEqual(expected);
    expect(backward.pks).toEqual(expected);
  });
});
