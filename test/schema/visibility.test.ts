import { describe, expect, it } from 'vitest';
import type { ServedToken } from '../../src/fake-authentik/types.js';
import { useGateway } from '../helpers/gateway.js';
import { DEFAULT_ORDERING, grantMatchesSearch, restList } from '../helpers/connections.js';

const JSMITH = 'demo-token-jsmith';
const pks = (tokens: ServedToken[]) => tokens.map((t) => t.pk);

const gw = useGateway();

describe('an ordinary user', () => {
  const QUERY = `query($search: String, $filter: RefreshTokenFilter) {
    refreshTokens(first: 100, search: $search, filter: $filter) { totalCount nodes { pk user { username } } }
  }`;
  interface Answer {
    refreshTokens: { totalCount: number; nodes: { pk: number; user: { username: string } }[] };
  }

  it.each<[string, Record<string, unknown>, (t: ServedToken) => boolean]>([
    ['the whole list', {}, () => true],
    ['a search', { search: 'grafana' }, (t) => grantMatchesSearch(t, ['grafana'])],
    ['a gateway filter', { filter: { isExpired: false } }, (t) => !t.is_expired],
    ['another user’s pk', { filter: { userPk: 4 } }, () => false],
  ])('sees only their own tokens: %s', async (_label, variables, predicate) => {
    const own = restList(gw.fake, { ordering: DEFAULT_ORDERING, bearer: JSMITH });
    expect(own).toHaveLength(91);
    const expected = pks(own.filter(predicate));
    gw.fake.resetRequests();
    const result = await gw.gql<Answer>(QUERY, variables, { token: JSMITH });
    expect(result.errors).toBeUndefined();
    const { totalCount, nodes } = result.data!.refreshTokens;
    expect(totalCount).toBe(expected.length);
    expect(nodes.map((n) => n.pk)).toEqual(expected);
    for (const node of nodes) expect(node.user.username).toBe('jsmith');
    const calls = gw.upstreamCalls();
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.authorization).toBe(`Bearer ${JSMITH}`);
  });

  it('never shares answers between callers', async () => {
    const asAdmin = await gw.gql<Answer>(QUERY, {});
    const asJsmith = await gw.gql<Answer>(QUERY, {}, { token: JSMITH });
    const asAdminAgain = await gw.gql<Answer>(QUERY, {});
    expect(asAdmin.data!.refreshTokens.totalCount).toBe(300);
    expect(asJsmith.data!.refreshTokens.totalCount).toBe(91);
    expect(asAdminAgain.data).toEqual(asAdmin.data);
  });
});
