import { beforeAll, describe, expect, it } from 'vitest';
import type { ServedToken } from '../../src/fake-authentik/types.js';
import { measured, startGateway, useGateway } from '../helpers/gateway.js';
import {
  JSMITH,
  PROVIDER_PATH,
  TOKEN_PATH,
  USER_PATH,
  distinct,
  gqlData,
  listCalls,
  restTokens,
  retrieveCalls,
  retrievedPks,
  sorted,
} from './support.js';

interface Looked {
  pk: number;
  isExpired: boolean;
  scope: string[];
  provider: { pk: number; name: string };
  user: { pk: number; username: string };
}

const LOOKED_SELECTION = 'pk isExpired scope provider { pk name } user { pk username }';

/** `a0: refreshToken(pk: ...) { ... }` for every pk, in order. */
const aliases = (pks: readonly number[], selection = LOOKED_SELECTION) =>
  pks.map((pk, index) => `a${index}: refreshToken(pk: ${pk}) { ${selection} }`).join('\n');

const asLooked = (t: ServedToken): Looked => ({
  pk: t.pk,
  isExpired: t.is_expired,
  scope: t.scope,
  provider: { pk: t.provider.pk as number, name: t.provider.name as string },
  user: { pk: t.user.pk as number, username: t.user.username as string },
});

const gw = useGateway();
let all: ServedToken[];
let byPk: Map<number, ServedToken>;
beforeAll(() => {
  all = restTokens(gw);
  byPk = new Map(all.map((t) => [t.pk, t]));
});

/** A pk inside the sample range that authentik has no token for. */
function gapPk(): number {
  for (let pk = all[0]!.pk; pk < all.at(-1)!.pk; pk++) if (!byPk.has(pk)) return pk;
  throw new Error('no gap in the sample pks');
}

describe('refreshToken(pk:)', () => {
  it('10 aliases with 3 duplicate pks cost 7 calls and answer like REST', async () => {
    const seven = [0, 40, 80, 120, 160, 200, 240].map((index) => all[index]!.pk);
    const ten = [...seven, seven[2]!, seven[0]!, seven[6]!];
    const { result, calls } = await measured(gw, () =>
      gqlData<Record<string, Looked>>(gw, `{ ${aliases(ten)} }`),
    );
    expect(calls).toHaveLength(7);
    expect(sorted(retrievedPks(calls, TOKEN_PATH))).toEqual(sorted(seven));
    ten.forEach((pk, index) => expect(result[`a${index}`]).toEqual(asLooked(byPk.get(pk)!)));
  });

  it.each([
    ['a pk beyond the sample', () => 999_999],
    ['a gap between sample pks', gapPk],
    ['the largest Int', () => 2 ** 31 - 1],
  ])('%s is null without an error, after one call', async (_name, pkOf) => {
    const pk = pkOf();
    const { result, calls } = await measured(gw, () =>
      gw.gql(`{ refreshToken(pk: ${pk}) { pk } }`),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ refreshToken: null });
    expect(calls).toHaveLength(1);
  });

  it.each([0, -1])('pk %i is refused with BAD_USER_INPUT, without a call', async (pk) => {
    const { result, calls } = await measured(gw, () =>
      gw.gql(`{ refreshToken(pk: ${pk}) { pk } }`),
    );
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.message).toContain(String(pk));
    expect(calls).toHaveLength(0);
  });

  it("another user's token is null for an ordinary user", async () => {
    const foreign = all.find((t) => t.user.username !== 'jsmith')!;
    const own = all.find((t) => t.user.username === 'jsmith')!;
    const result = await gw.gql(
      `{ foreign: refreshToken(pk: ${foreign.pk}) { pk } own: refreshToken(pk: ${own.pk}) { pk } }`,
      undefined,
      { token: JSMITH },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ foreign: null, own: { pk: own.pk } });
  });

  it('refreshToken, node and nodes for the same token share one call', async () => {
    const pk = all[9]!.pk;
    const id = Buffer.from(`RefreshToken:${pk}`).toString('base64url');
    const { result, calls } = await measured(gw, () =>
      gqlData<Record<string, unknown>>(
        gw,
        `{ a: refreshToken(pk: ${pk}) { pk } b: node(id: "${id}") { id }
           c: nodes(ids: ["${id}", "${id}"]) { id } d: refreshToken(pk: ${pk}) { scope } }`,
      ),
    );
    expect(result).toEqual({
      a: { pk },
      b: { id },
      c: [{ id }, { id }],
      d: { scope: byPk.get(pk)!.scope },
    });
    expect(calls).toHaveLength(1);
  });

  it('a looked-up token embeds its provider and user: no further calls', async () => {
    const pks = [all[3]!.pk, all[150]!.pk];
    const { calls } = await measured(gw, () => gqlData(gw, `{ ${aliases(pks)} }`));
    expect(calls).toHaveLength(2);
    expect(retrieveCalls(calls, USER_PATH)).toHaveLength(0);
    expect(retrieveCalls(calls, PROVIDER_PATH)).toHaveLength(0);
  });

  it('several lookups are issued before any of them answers (in parallel)', async () => {
    const own = await startGateway({ env: { UPSTREAM_TIMEOUT_MS: '5000' } });
    try {
      const pks = restTokens(own)
        .slice(0, 5)
        .map((t) => t.pk);
      // Only retrieves (pks start with 1), not the list itself.
      own.fake.fault({ mode: 'hang', pathPrefix: `${TOKEN_PATH}1` });
      const pending = own.gql(`{ ${aliases(pks, 'pk')} }`);
      await expect
        .poll(() => own.fake.countRequests(`${TOKEN_PATH}1`), { timeout: 3_000, interval: 10 })
        .toBe(pks.length);
      await own.fake.close();
      expect((await pending).errors?.length).toBeGreaterThan(0);
    } finally {
      // Closing the fake first ends the hung calls at once.
      await own.fake.close();
      await own.close();
    }
  });
});

describe('lookups of tokens the same operation lists', () => {
  const LIST = 'refreshTokens(first: 20, orderBy: [{ field: PK }]) { nodes { pk } }';

  it.each([
    ['list first', (lookups: string) => `{ ${LIST} ${lookups} }`],
    ['lookups first', (lookups: string) => `{ ${lookups} ${LIST} }`],
  ])('%s: tokens on the page cost no call', async (_name, operation) => {
    const listed = all.slice(0, 20).map((t) => t.pk);
    const lookups = aliases([listed[3]!, listed[17]!, listed[3]!]);
    const { result, calls } = await measured(gw, () =>
      gqlData<Record<string, Looked>>(gw, operation(lookups)),
    );
    expect(calls).toHaveLength(1);
    expect(listCalls(calls)).toHaveLength(1);
    expect(result.a0).toEqual(asLooked(byPk.get(listed[3]!)!));
    expect(result.a1).toEqual(asLooked(byPk.get(listed[17]!)!));
    expect(result.a2).toEqual(result.a0);
  });

  it('the simplest case from the issue: one list and one lookup, one call', async () => {
    const pk = all[7]!.pk;
    const { result, calls } = await measured(gw, () =>
      gqlData<{ a: { pk: number } }>(
        gw,
        `{ refreshTokens(first: 20, orderBy: [{ field: PK }]) { nodes { pk } } a: refreshToken(pk: ${pk}) { pk } }`,
      ),
    );
    expect(result.a).toEqual({ pk });
    expect(calls).toHaveLength(1);
  });

  it('only tokens missing from the page are fetched, once each', async () => {
    const listed = all.slice(0, 20).map((t) => t.pk);
    const unlisted = [all[50]!.pk, all[51]!.pk];
    const pks = [listed[0]!, unlisted[0]!, listed[5]!, unlisted[1]!, unlisted[0]!, 999_999];
    const { result, calls } = await measured(gw, () =>
      gqlData<Record<string, Looked | null>>(gw, `{ ${LIST} ${aliases(pks)} }`),
    );
    expect(listCalls(calls)).toHaveLength(1);
    expect(sorted(retrievedPks(calls, TOKEN_PATH))).toEqual(sorted([...unlisted, 999_999]));
    expect(calls).toHaveLength(1 + distinct([...unlisted, 999_999]).length);
    pks.forEach((pk, index) =>
      expect(result[`a${index}`]).toEqual(byPk.has(pk) ? asLooked(byPk.get(pk)!) : null),
    );
  });
});
