/**
 * End to end through a real federation gateway (Hive Gateway's runtime, in-process) over the
 * tokens subgraph (this gateway, node:http on loopback, over the fake authentik) and the accounts
 * subgraph: queries that cross in both directions, what each subgraph and authentik saw.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { encodeNodeId } from '../../src/graphql/node-ids.js';
import { TEAMS, teamOf } from './accounts-subgraph.js';
import type { Supergraph } from './supergraph.js';
import { startSupergraph } from './supergraph.js';
import { expectedList } from '../fake-authentik/expected.js';

let sg: Supergraph;
beforeAll(async () => {
  sg = await startSupergraph();
});
afterAll(() => sg.close());
beforeEach(() => sg.resetCounts());

const JSMITH = 'demo-token-jsmith';
const LIST_PATH = '/api/v3/oauth2/refresh_tokens/';
const calls = () => sg.tokens.upstreamCalls();
const userCalls = () =>
  calls()
    .map((call) => call.path)
    .filter((path) => path.startsWith('/api/v3/core/users/'));
const tokenCount = (userPk: number) =>
  sg.tokens.fake.data.records.tokens.filter((token) => token.userPk === userPk).length;

interface TokensWithTeams {
  refreshTokens: {
    totalCount: number;
    nodes: { pk: number; user: { pk: number; username: string; team: { name: string } | null } }[];
  };
}

const TOKENS_WITH_TEAMS = /* GraphQL */ `
  {
    refreshTokens(first: 5, orderBy: [{ field: PK }]) {
      totalCount
      nodes {
        pk
        user {
          pk
          username
          team {
            name
          }
        }
      }
    }
  }
`;

describe('from tokens to accounts: refreshTokens { nodes { user { team } } }', () => {
  it.each([
    ['the superuser', ADMIN_TOKEN],
    ['jsmith, who sees his own tokens only', JSMITH],
  ])('answers for %s with one call to each subgraph and to authentik', async (_who, token) => {
    const result = await sg.gql<TokensWithTeams>(TOKENS_WITH_TEAMS, undefined, token);
    expect(result.errors).toBeUndefined();
    const expected = expectedList(sg.tokens.fake, { bearer: token, ordering: 'pk' });
    expect(result.data!.refreshTokens).toEqual({
      totalCount: expected.length,
      nodes: expected.slice(0, 5).map((row) => {
        const pk = Number(row.user['pk']);
        const team = teamOf(pk);
        return {
          pk: row.pk,
          user: { pk, username: row.user['username'], team: team && { name: team.name } },
        };
      }),
    });
    expect(sg.tokensRequests).toHaveLength(1);
    expect(sg.accounts.requests).toHaveLength(1);
    expect(calls().map((call) => call.path)).toEqual([LIST_PATH]);
  });
});

interface TeamsWithTokens {
  teams: {
    name: string;
    members: {
      pageInfo: { hasNextPage: boolean };
      edges: { node: { pk: number; refreshTokens: { totalCount: number } } }[];
    };
  }[];
}

describe('from accounts to tokens: teams { members { refreshTokens { totalCount } } }', () => {
  it('answers with one batched _entities call and one token list per user', async () => {
    const result = await sg.gql<TeamsWithTokens>(/* GraphQL */ `
      {
        teams {
          name
          members(first: 10) {
            pageInfo {
              hasNextPage
            }
            edges {
              node {
                pk
                refreshTokens {
                  totalCount
                }
              }
            }
          }
        }
      }
    `);
    expect(result.errors).toBeUndefined();
    expect(result.data!.teams).toEqual(
      TEAMS.map((team) => ({
        name: team.name,
        members: {
          pageInfo: { hasNextPage: false },
          edges: team.members.map((pk) => ({
            node: { pk, refreshTokens: { totalCount: tokenCount(pk) } },
          })),
        },
      })),
    );
    expect(sg.accounts.requests).toHaveLength(1);
    expect(sg.tokensRequests).toHaveLength(1);
    const members = TEAMS.flatMap((team) => team.members);
    const lists = calls().filter((call) => call.path === LIST_PATH);
    expect(lists.map((call) => Number(call.query.get('user'))).sort((a, b) => a - b)).toEqual(
      [...members].sort((a, b) => a - b),
    );
    // Hive Gateway also asks each reference for User's other key (uuid), which comes from the
    // user embedded in their token list: only dormant (103), who has no tokens, costs a lookup.
    expect(userCalls()).toEqual(['/api/v3/core/users/103/']);
  });
});

describe('credentials', () => {
  it("forwards the caller's Authorization to the tokens subgraph only, and on to authentik", async () => {
    const result = await sg.gql<TokensWithTeams>(TOKENS_WITH_TEAMS, undefined, JSMITH);
    expect(result.errors).toBeUndefined();
    expect(result.data!.refreshTokens.nodes.every((node) => node.user.pk === 7)).toBe(true);
    expect(sg.tokensRequests).toEqual([`Bearer ${JSMITH}`]);
    expect(sg.accounts.requests).toEqual([undefined]);
    expect(calls().map((call) => call.authorization)).toEqual([`Bearer ${JSMITH}`]);
  });

  it('answers UNAUTHENTICATED, from the tokens subgraph, to a caller without credentials', async () => {
    const result = await sg.gql(TOKENS_WITH_TEAMS, undefined, null);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('Relay types in the supergraph', () => {
  it('serves PageInfo from both subgraphs in one operation', async () => {
    const result = await sg.gql<{
      refreshTokens: { pageInfo: { hasNextPage: boolean } };
      teams: { members: { pageInfo: { hasNextPage: boolean } } }[];
    }>(
      '{ refreshTokens(first: 1) { pageInfo { hasNextPage } } teams { members(first: 1) { pageInfo { hasNextPage } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.refreshTokens.pageInfo.hasNextPage).toBe(true);
    expect(result.data!.teams.map((team) => team.members.pageInfo.hasNextPage)).toEqual([
      true,
      true,
    ]);
  });

  it.each([
    ['node', '{ node(id: "VGVhbTox") { id } }'],
    ['nodes', '{ nodes(ids: ["VGVhbTox"]) { id } }'],
  ])('leaves Query.%s out of the supergraph (@inaccessible)', async (field, query) => {
    const result = await sg.gql(query);
    expect(result.errors?.[0]?.message).toContain(`Cannot query field "${field}" on type "Query"`);
    expect(sg.tokensRequests).toEqual([]);
  });

  it('still serves node to clients of the gateway itself', async () => {
    const id = encodeNodeId('RefreshToken', 1041);
    const result = await sg.tokens.gql(`{ node(id: "${id}") { id } }`);
    expect(result.data).toEqual({ node: { id } });
  });
});
