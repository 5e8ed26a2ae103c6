/**
 * A second subgraph for the federation tests: a typical Relay "accounts" service that owns
 * `User` by `pk` and adds a field of its own (`team`), with its own `Node`, `PageInfo` and
 * `Query.node`, as platform teams write them. Served by yoga over loopback.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

/** The accounts subgraph's SDL (Federation 2.9, like the gateway's). */
export const ACCOUNTS_SDL = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])

  "An object with a global id."
  interface Node {
    id: ID!
  }

  type PageInfo @shareable {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  "The accounts service's view of an authentik user: which team they are on."
  type User @key(fields: "pk") {
    pk: Int!
    team: Team
  }

  type Team implements Node {
    id: ID!
    name: String!
    members(first: Int, after: String): TeamMemberConnection!
  }

  type TeamMemberConnection {
    edges: [TeamMemberEdge!]!
    pageInfo: PageInfo!
  }

  type TeamMemberEdge {
    cursor: String!
    node: User!
  }

  type Query {
    node(id: ID!): Node @shareable
    teams: [Team!]!
  }
`;

/** A team: its Relay id, name and members' user pks. */
export interface Team {
  id: string;
  name: string;
  members: number[];
}

/** The teams and their members' authentik user pks (7 jsmith, 9 asmithson, 103 dormant, ...). */
export const TEAMS: Team[] = [
  { id: teamId(1), name: 'Platform', members: [7, 9, 15] },
  { id: teamId(2), name: 'Security', members: [4, 103] },
];

function teamId(n: number): string {
  return Buffer.from(`Team:${n}`).toString('base64url');
}

/** The team a user is on (null: none). */
export const teamOf = (pk: number): Team | null =>
  TEAMS.find((team) => team.members.includes(pk)) ?? null;

const resolvers = {
  Query: {
    teams: () => TEAMS,
    node: (_: unknown, { id }: { id: string }) => {
      const team = TEAMS.find((t) => t.id === id);
      return team ? { __typename: 'Team', ...team } : null;
    },
  },
  Team: {
    members: (team: Team, { first, after }: { first?: number | null; after?: string | null }) => {
      const start = after ? Number(after) + 1 : 0;
      const end = first == null ? team.members.length : start + first;
      const edges = team.members
        .slice(start, end)
        .map((pk, i) => ({ cursor: String(start + i), node: { pk } }));
      return {
        edges,
        pageInfo: {
          hasNextPage: end < team.members.length,
          hasPreviousPage: start > 0,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  },
  User: {
    __resolveReference: ({ pk }: { pk: number }) => ({ pk }),
    team: ({ pk }: { pk: number }) => teamOf(pk),
  },
};

/** A running accounts subgraph. */
export interface AccountsSubgraph {
  /** Its GraphQL endpoint. */
  url: string;
  /** The `Authorization` header of every request it received (undefined: none). */
  requests: (string | undefined)[];
  close(): Promise<void>;
}

/** Starts the accounts subgraph on a free loopback port. */
export async function startAccountsSubgraph(): Promise<AccountsSubgraph> {
  const yoga = createYoga({
    schema: buildSubgraphSchema({ typeDefs: parse(ACCOUNTS_SDL), resolvers }),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
  });
  const requests: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers.authorization);
    void yoga(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
