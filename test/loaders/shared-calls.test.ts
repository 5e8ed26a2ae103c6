import { beforeEach, describe, expect, it } from 'vitest';
import { gqlRequest, useGateway } from '../helpers/gateway.js';
import { JSMITH, TOKEN_PATH, globalId } from './support.js';

const PAGE = '{ refreshTokens(first: 5) { nodes { pk user { username } } } }';
type Page = { data?: { refreshTokens: { nodes: { pk: number }[] } }; errors?: unknown[] };

// Answers need ~150 ms, so that requests sent together are all in flight at once.
const gw = useGateway({ fake: { latencyMs: 150 } });
beforeEach(() => {
  gw.fake.clearFaults();
  gw.fake.resetRequests();
});

const listCalls = () => gw.upstreamCalls().filter((c) => c.path === TOKEN_PATH);

describe('identical upstream GETs in flight at once', () => {
  it('one caller’s concurrent identical requests share one list call and get the same answer', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => gw.gql(PAGE)));
    expect(listCalls()).toHaveLength(1);
    expect(answers.every((a) => a.errors === undefined)).toBe(true);
    expect(new Set(answers.map((a) => JSON.stringify(a.data))).size).toBe(1);
  });

  it('never shares a call between callers: each gets its own, with its own token', async () => {
    const [admin, jsmith] = await Promise.all([
      gw.gql<Page['data']>(PAGE),
      gw.gql<Page['data']>(PAGE, undefined, { token: JSMITH }),
    ]);
    const calls = listCalls();
    expect(calls.map((c) => c.authorization).sort()).toEqual(
      [`Bearer ${gw.fake.tokens.admin}`, `Bearer ${JSMITH}`].sort(),
    );
    expect(admin.data).not.toEqual(jsmith.data);
  });

  it('does not share once the answer has arrived: the next request makes its own call', async () => {
    await gw.gql(PAGE);
    await gw.gql(PAGE);
    expect(listCalls()).toHaveLength(2);
  });

  it('a caller that goes away does not fail the others waiting for the same call', async () => {
    const leaving = new AbortController();
    const left = Promise.resolve(
      gw.app.yoga.fetch('http://gateway.test/graphql', {
        ...gqlRequest(PAGE, undefined),
        signal: leaving.signal,
      }),
    ).then(
      async (response) => response.json() as Promise<Page>,
      (error: unknown) => ({ aborted: error }),
    );
    const staying = gw.gql<Page['data']>(PAGE);
    while (listCalls().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    leaving.abort();
    await left;
    const answer = await staying;
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.refreshTokens.nodes).toHaveLength(5);
    expect(listCalls()).toHaveLength(1);
  });

  it('a read that starts after a delete does not get an answer fetched before it', async () => {
    const victim = gw.fake.data.refreshTokens.find((t) => t.user.username === 'akadmin')!;
    const query = `{ refreshTokens(first: 100, filter: { userPk: ${victim.user.pk} }) { nodes { pk } } }`;
    // The first list call is slow: it is still in flight when the delete and the next read run.
    gw.fake.fault({ mode: 'slowHeaders', delayMs: 1_000, times: 1, pathPrefix: TOKEN_PATH });
    gw.fake.setOptions({ latencyMs: 0 });
    try {
      const before = gw.gql<Page['data']>(query);
      while (listCalls().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const deleted = await gw.gql(
        `mutation ($id: ID!) { deleteRefreshToken(input: { id: $id }) { deletedId } }`,
        { id: globalId('RefreshToken', victim.pk) },
      );
      expect(deleted.errors).toBeUndefined();
      const after = await gw.gql<Page['data']>(query);
      expect(after.data!.refreshTokens.nodes.map((t) => t.pk)).not.toContain(victim.pk);
      expect(listCalls()).toHaveLength(2);
      expect((await before).errors).toBeUndefined();
    } finally {
      gw.fake.setOptions({ latencyMs: 150 });
    }
  });
});
