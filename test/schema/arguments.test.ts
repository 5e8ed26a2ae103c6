import { beforeAll, describe, expect, it } from 'vitest';
import { codesOf, startGateway, useGateway } from '../helpers/gateway.js';
import type { ConnectionVars } from '../helpers/connections.js';
import { countListCalls, fetchErrors, fetchPage, pksOf } from '../helpers/connections.js';

const gw = useGateway();
let issued: { after: string; lastCursor: string };
beforeAll(async () => {
  const page = await fetchPage(gw, { first: 5 });
  issued = { after: page.edges[1]!.cursor, lastCursor: page.pageInfo.endCursor! };
});

describe('first / last bounds (MAX_PAGE_SIZE 100)', () => {
  it.each<[ConnectionVars, string]>([
    [{ first: -1 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ last: -1 }, 'last'],
    [{ last: 101 }, 'last'],
    [{ first: 5, last: 5 }, 'first'],
    [{ first: 0, last: 0 }, 'first'],
  ])('%j is BAD_USER_INPUT naming "%s", before any upstream call', async (vars, argument) => {
    const { result: errors, calls } = await countListCalls(gw, () => fetchErrors(gw, vars));
    expect(codesOf(errors)).toEqual(['BAD_USER_INPUT']);
    expect(errors[0]!.message).toContain(`"${argument}"`);
    expect(calls).toHaveLength(0);
  });

  it.each([0, 100])('first and last of %i are inside the bounds', async (n) => {
    await expect(fetchPage(gw, { first: n })).resolves.toBeDefined();
    await expect(fetchPage(gw, { last: n })).resolves.toBeDefined();
  });

  it('honours a lower MAX_PAGE_SIZE', async () => {
    const small = await startGateway({ env: { MAX_PAGE_SIZE: '10' } });
    try {
      const errors = await fetchErrors(small, { first: 11 });
      expect(codesOf(errors)).toEqual(['BAD_USER_INPUT']);
      expect(errors[0]!.message).toContain('10');
      expect(pksOf(await fetchPage(small, { first: 10 }))).toHaveLength(10);
    } finally {
      await small.close();
    }
  });
});

describe('cursors the gateway did not issue', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  it.each<[string, string]>([
    ['garbage', 'not-a-cursor'],
    ['not base64url', '!!!???'],
    ['empty', ''],
    ['base64 of plain text', b64('hello world')],
    ['a forged row index', b64('rt1:zzzzzz:5')],
    ['an index with a sign', b64('rt1:abc:-1')],
    ['a very long string', 'A'.repeat(5000)],
  ])('%s as after or before is BAD_USER_INPUT naming the argument', async (_label, cursor) => {
    for (const argument of ['after', 'before'] as const) {
      const vars: ConnectionVars =
        argument === 'after' ? { first: 5, after: cursor } : { last: 5, before: cursor };
      const { result: errors, calls } = await countListCalls(gw, () => fetchErrors(gw, vars));
      expect(codesOf(errors)).toEqual(['BAD_USER_INPUT']);
      expect(errors[0]!.message).toContain(`"${argument}"`);
      expect(calls).toHaveLength(0);
    }
  });

  it.each<[string, ConnectionVars]>([
    ['another ordering', { orderBy: [{ field: 'PK' }] }],
    ['another filter', { filter: { userPk: 7 } }],
    ['a search', { search: 'grafana' }],
    ['an isExpired filter', { filter: { isExpired: false } }],
  ])('a cursor issued for the default query is refused under %s', async (_label, vars) => {
    const errors = await fetchErrors(gw, { ...vars, first: 5, after: issued.after });
    expect(codesOf(errors)).toEqual(['BAD_USER_INPUT']);
    expect(errors[0]!.message).toContain('"after"');
  });

  it('a cursor issued by the same query is accepted as after and as before', async () => {
    const forward = await fetchPage(gw, { first: 2, after: issued.after });
    const backward = await fetchPage(gw, { last: 1, before: issued.lastCursor });
    expect(forward.edges).toHaveLength(2);
    expect(pksOf(backward)).toEqual([pksOf(forward)[1]]);
  });
});
