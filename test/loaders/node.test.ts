import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServedToken } from '../../src/fake-authentik/types.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { codesOf, measured, useGateway } from '../helpers/gateway.js';
import {
  JSMITH,
  PROVIDER_PATH,
  TOKEN_PATH,
  USER_PATH,
  distinct,
  globalId,
  gqlData,
  listCalls,
  restTokens,
  retrieveCalls,
  retrievedPks,
  sorted,
} from './support.js';
import { expectedResponse } from '../fake-authentik/expected.js';

/** Every field `node` answers, whatever the type. */
const NODE_SELECTION = `__typename id
  ... on RefreshToken { pk scope user { username } }
  ... on User { pk username email }
  ... on OAuth2Provider { pk name clientId }`;

interface ListedRow {
  id: string;
  pk: number;
  provider: { id: string; pk: number };
  user: { id: string; pk: number };
}

type NodeType = 'RefreshToken' | 'User' | 'OAuth2Provider';

const gw = useGateway();
let rows: ListedRow[];
let tokens: ServedToken[];
beforeAll(async () => {
  tokens = restTokens(gw);
  const data = await gqlData<{ refreshTokens: { nodes: ListedRow[] } }>(
    gw,
    `{ refreshTokens(first: 40, orderBy: [{ field: PK }]) {
        nodes { id pk provider { id pk } user { id pk } } } }`,
  );
  rows = data.refreshTokens.nodes;
});
afterEach(() => gw.fake.setOptions({ shape: 'current' }));

/** What `node` should answer for one object, from the REST API. */
function expectedNode(type: NodeType, pk: number): Record<string, unknown> {
  const id = globalId(type, pk);
  if (type === 'RefreshToken') {
    const token = tokens.find((t) => t.pk === pk)!;
    return {
      __typename: type,
      id,
      pk,
      scope: token.scope,
      user: { username: token.user.username },
    };
  }
  const path = type === 'User' ? `${USER_PATH}${pk}/` : `${PROVIDER_PATH}${pk}/`;
  const { body } = expectedResponse(gw.fake, path, ADMIN_TOKEN);
  const rest = body as Record<string, unknown>;
  return type === 'User'
    ? { __typename: type, id, pk, username: rest.username, email: rest.email }
    : { __typename: type, id, pk, name: rest.name, clientId: rest.client_id };
}

const PATH_OF: Record<NodeType, string> = {
  RefreshToken: TOKEN_PATH,
  User: USER_PATH,
  OAuth2Provider: PROVIDER_PATH,
};

describe('global ids', () => {
  it('are base64url of <Type>:<pk> for the three node types', () => {
    for (const row of rows) {
      expect(row.id).toBe(globalId('RefreshToken', row.pk));
      expect(row.user.id).toBe(globalId('User', row.user.pk));
      expect(row.provider.id).toBe(globalId('OAuth2Provider', row.provider.pk));
    }
  });
});

describe('node(id:)', () => {
  const pick: Record<NodeType, (row: ListedRow) => { id: string; pk: number }> = {
    RefreshToken: (row) => row,
    User: (row) => row.user,
    OAuth2Provider: (row) => row.provider,
  };

  it.each<NodeType>(['RefreshToken', 'User', 'OAuth2Provider'])(
    'a %s id from a list resolves with one retrieve call',
    async (type) => {
      const { id, pk } = pick[type](rows[5]!);
      const { result, calls } = await measured(gw, () =>
        gqlData<{ node: unknown }>(gw, `query ($id: ID!) { node(id: $id) { ${NODE_SELECTION} } }`, {
          id,
        }),
      );
      expect(result.node).toEqual(expectedNode(type, pk));
      expect(calls).toHaveLength(1);
      expect(retrievedPks(calls, PATH_OF[type])).toEqual([pk]);
    },
  );

  it.each<NodeType>(['RefreshToken', 'User', 'OAuth2Provider'])(
    'an unknown %s is null without an error',
    async (type) => {
      const result = await gw.gql(`query ($id: ID!) { node(id: $id) { id } }`, {
        id: globalId(type, 999_999),
      });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ node: null });
    },
  );

  it('tokens and users the operation listed cost no call; providers are loaded whole', async () => {
    const row = rows[2]!;
    const { result, calls } = await measured(gw, () =>
      gqlData<Record<string, unknown>>(
        gw,
        `{ refreshTokens(first: 40, orderBy: [{ field: PK }]) { nodes { pk } }
           t: node(id: "${row.id}") { ${NODE_SELECTION} }
           u: node(id: "${row.user.id}") { ${NODE_SELECTION} }
           p: node(id: "${row.provider.id}") { ${NODE_SELECTION} } }`,
      ),
    );
    expect(result.t).toEqual(expectedNode('RefreshToken', row.pk));
    expect(result.u).toEqual(expectedNode('User', row.user.pk));
    expect(result.p).toEqual(expectedNode('OAuth2Provider', row.provider.pk));
    expect(listCalls(calls)).toHaveLength(1);
    // The current shape embeds only the base provider: its OAuth2 fields need the retrieve.
    expect(retrievedPks(calls, PROVIDER_PATH)).toEqual([row.provider.pk]);
    expect(calls).toHaveLength(2);
  });

  it('on the legacy shape a listed provider is complete: no call for its node', async () => {
    gw.fake.setOptions({ shape: 'legacy' });
    const row = rows[2]!;
    const { result, calls } = await measured(gw, () =>
      gqlData<Record<string, unknown>>(
        gw,
        `{ refreshTokens(first: 40, orderBy: [{ field: PK }]) { nodes { pk } }
           p: node(id: "${row.provider.id}") { ${NODE_SELECTION} } }`,
      ),
    );
    expect(result.p).toEqual(expectedNode('OAuth2Provider', row.provider.pk));
    expect(calls).toHaveLength(1);
  });

  it('an ordinary user sees their own token, null for a foreign one, FORBIDDEN for a user', async () => {
    const own = tokens.find((t) => t.user.username === 'jsmith')!;
    const foreign = tokens.find((t) => t.user.username !== 'jsmith')!;
    const result = await gw.gql(
      `{ own: node(id: "${globalId('RefreshToken', own.pk)}") { id }
         foreign: node(id: "${globalId('RefreshToken', foreign.pk)}") { id }
         user: node(id: "${globalId('User', 4)}") { id } }`,
      undefined,
      { token: JSMITH },
    );
    expect(result.data).toEqual({
      own: { id: globalId('RefreshToken', own.pk) },
      foreign: null,
      user: null,
    });
    expect(codesOf(result.errors)).toEqual(['FORBIDDEN']);
    expect(result.errors?.[0]?.path).toEqual(['user']);
  });
});

describe('nodes(ids:)', () => {
  it('resolves mixed types in order, one call per distinct object', async () => {
    const picks: [NodeType, number][] = [
      ['RefreshToken', rows[0]!.pk],
      ['User', rows[1]!.user.pk],
      ['OAuth2Provider', rows[2]!.provider.pk],
      ['RefreshToken', rows[10]!.pk],
      ['RefreshToken', rows[0]!.pk],
      ['User', rows[1]!.user.pk],
      ['RefreshToken', 999_999],
    ];
    const ids = picks.map(([type, pk]) => globalId(type, pk));
    const { result, calls } = await measured(gw, () =>
      gqlData<{ nodes: unknown[] }>(
        gw,
        `query ($ids: [ID!]!) { nodes(ids: $ids) { ${NODE_SELECTION} } }`,
        { ids },
      ),
    );
    expect(result.nodes).toEqual(
      picks.map(([type, pk]) => (pk === 999_999 ? null : expectedNode(type, pk))),
    );
    for (const type of ['RefreshToken', 'User', 'OAuth2Provider'] as const) {
      const wanted = distinct(picks.filter(([t]) => t === type).map(([, pk]) => pk));
      expect(sorted(retrievedPks(calls, PATH_OF[type]))).toEqual(sorted(wanted));
    }
    expect(calls).toHaveLength(5);
  });

  it('listed tokens and users cost no call', async () => {
    const ids = rows.slice(0, 10).flatMap((row) => [row.id, row.user.id]);
    const { result, calls } = await measured(gw, () =>
      gqlData<{ nodes: { id: string }[] }>(
        gw,
        `query ($ids: [ID!]!) { refreshTokens(first: 40, orderBy: [{ field: PK }]) { nodes { pk } }
           nodes(ids: $ids) { id } }`,
        { ids },
      ),
    );
    expect(result.nodes.map((node) => node.id)).toEqual(ids);
    expect(calls).toHaveLength(1);
    expect(retrieveCalls(calls, USER_PATH)).toHaveLength(0);
  });
});

describe('malformed ids', () => {
  const MALFORMED: [string, string][] = [
    ['garbage', 'garbage'],
    ['empty', ''],
    ['punctuation', 'not an id!'],
    ['a raw "User:7"', 'User:7'],
    ['a very long string', 'A'.repeat(500)],
    ['an unknown type prefix', globalId('Group', 1)],
    ['a type prefix in lower case', globalId('user', 7)],
    ['base64url of "User:abc"', globalId('User', 'abc')],
    ['base64 of "User:abc"', Buffer.from('User:abc').toString('base64')],
    ['a negative pk', globalId('User', -1)],
    ['a fractional pk', globalId('RefreshToken', '1.5')],
    ['a pk with leading zeros', globalId('RefreshToken', '01041')],
    ['a pk past Int', globalId('OAuth2Provider', 2 ** 31)],
    ['no pk', globalId('User', '')],
  ];

  it.each(MALFORMED)('node: %s is BAD_USER_INPUT without an upstream call', async (_name, id) => {
    const { result, calls } = await measured(gw, () =>
      gw.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id }),
    );
    expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
    expect(result.data).toEqual({ node: null });
    expect(calls).toHaveLength(0);
  });

  it.each(MALFORMED)('nodes: %s among good ids is BAD_USER_INPUT', async (_name, id) => {
    const { result, calls } = await measured(gw, () =>
      gw.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
        ids: [rows[0]!.id, id],
      }),
    );
    expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.path).toEqual(['nodes']);
    expect(calls).toHaveLength(0);
  });
});
