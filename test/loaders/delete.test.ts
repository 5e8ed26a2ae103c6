import { beforeAll, describe, expect, it } from 'vitest';
import type { ServedToken } from '../../src/fake-authentik/types.js';
import { codesOf, measured, useGateway } from '../helpers/gateway.js';
import { JSMITH, TOKEN_PATH, globalId, gqlData, restTokens } from './support.js';

const DELETE = `mutation ($id: ID!) { deleteRefreshToken(input: { id: $id }) { deletedId } }`;

// This file deletes rows: it has its own fake, and each test takes tokens no other test uses.
const gw = useGateway();
let tokens: ServedToken[];
beforeAll(() => {
  tokens = restTokens(gw);
});

/** DELETE requests the fake received since the last reset, as token pks. */
function deletedPks(): number[] {
  return gw.fake.requests
    .filter((r) => r.method === 'DELETE' && r.path.startsWith(TOKEN_PATH))
    .map((r) => Number(r.path.slice(TOKEN_PATH.length, -1)));
}

const foreignToken = (index: number) => tokens.filter((t) => t.user.username !== 'jsmith')[index]!;
const jsmithToken = (index: number) => tokens.filter((t) => t.user.username === 'jsmith')[index]!;

describe('deleteRefreshToken', () => {
  it('an admin deletes a token: gone from lookups, node and the list', async () => {
    const { pk } = foreignToken(0);
    const id = globalId('RefreshToken', pk);
    const { result } = await measured(gw, () =>
      gqlData<{ deleteRefreshToken: { deletedId: string } }>(gw, DELETE, { id }),
    );
    expect(result.deleteRefreshToken).toEqual({ deletedId: id });
    expect(deletedPks()).toEqual([pk]);
    expect(restTokens(gw).some((t) => t.pk === pk)).toBe(false);

    const after = await gqlData<{
      lookup: unknown;
      node: unknown;
      refreshTokens: { totalCount: number; nodes: { pk: number }[] };
    }>(
      gw,
      `{ lookup: refreshToken(pk: ${pk}) { pk } node(id: "${id}") { id }
         refreshTokens(first: 100, orderBy: [{ field: PK }]) { totalCount nodes { pk } } }`,
    );
    expect(after.lookup).toBeNull();
    expect(after.node).toBeNull();
    expect(after.refreshTokens.totalCount).toBe(tokens.length - 1);
    expect(after.refreshTokens.nodes.map((t) => t.pk)).not.toContain(pk);
  });

  it('deleting the same token again is NOT_FOUND', async () => {
    const id = globalId('RefreshToken', foreignToken(1).pk);
    await gqlData(gw, DELETE, { id });
    const again = await gw.gql(DELETE, { id });
    expect(codesOf(again.errors)).toEqual(['NOT_FOUND']);
    expect(again.data).toBeNull();
  });

  it('twice in one operation: the second is NOT_FOUND (nothing cached survives the delete)', async () => {
    const id = globalId('RefreshToken', foreignToken(2).pk);
    const { result } = await measured(gw, () =>
      gw.gql(
        `mutation ($id: ID!) {
           first: deleteRefreshToken(input: { id: $id }) { deletedId }
           second: deleteRefreshToken(input: { id: $id }) { deletedId } }`,
        { id },
      ),
    );
    expect(codesOf(result.errors)).toEqual(['NOT_FOUND']);
    expect(result.errors?.[0]?.path).toEqual(['second']);
    expect(deletedPks()).toEqual([foreignToken(2).pk, foreignToken(2).pk]);
  });

  it('an unknown token is NOT_FOUND', async () => {
    const result = await gw.gql(DELETE, { id: globalId('RefreshToken', 999_999) });
    expect(codesOf(result.errors)).toEqual(['NOT_FOUND']);
  });

  it('an ordinary user may not delete even their own token: FORBIDDEN, and it stays', async () => {
    const { pk } = jsmithToken(0);
    const result = await gw.gql(DELETE, { id: globalId('RefreshToken', pk) }, { token: JSMITH });
    expect(codesOf(result.errors)).toEqual(['FORBIDDEN']);
    expect(restTokens(gw).some((t) => t.pk === pk)).toBe(true);
  });

  it("an ordinary user gets NOT_FOUND for another user's token, which stays", async () => {
    const { pk } = foreignToken(4);
    const result = await gw.gql(DELETE, { id: globalId('RefreshToken', pk) }, { token: JSMITH });
    expect(codesOf(result.errors)).toEqual(['NOT_FOUND']);
    expect(restTokens(gw).some((t) => t.pk === pk)).toBe(true);
  });

  it.each([
    ['the id of a User', globalId('User', 7)],
    ['the id of an OAuth2Provider', globalId('OAuth2Provider', 5)],
    ['garbage', 'garbage'],
    ['a bare pk', '1100'],
    ['base64 of "RefreshToken:abc"', globalId('RefreshToken', 'abc')],
  ])('%s is BAD_USER_INPUT, with no upstream call', async (_name, id) => {
    const { result, calls } = await measured(gw, () => gw.gql(DELETE, { id }));
    expect(codesOf(result.errors)).toEqual(['BAD_USER_INPUT']);
    expect(calls).toHaveLength(0);
  });
});
