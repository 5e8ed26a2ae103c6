import { describe, expect, it } from 'vitest';
import { SeenObjects } from '../../src/seen-objects.js';
import type { UpstreamToken } from '../../src/upstream/types.js';

const token = (pk: number, user: number, provider: number, name = `user ${user}`) =>
  ({
    pk,
    user: { pk: user, username: name },
    provider: { pk: provider },
  }) as unknown as UpstreamToken;

// Requests that shared one upstream call get the same rows array; each request's view must stay
// its own.
describe('SeenObjects of requests that share one answer', () => {
  const answer = [token(1, 7, 3), token(2, 7, 5)];

  it('both see the answer’s objects, one per pk', () => {
    const one = new SeenObjects();
    const two = new SeenObjects();
    one.rememberTokens(answer);
    two.rememberTokens(answer);
    expect(one.tokens.get(2)).toBe(answer[1]);
    expect(two.user(answer[1]!.user)).toBe(answer[0]!.user);
  });

  it('a forgotten token or a later answer changes only that request’s view', () => {
    const one = new SeenObjects();
    const two = new SeenObjects();
    one.rememberTokens(answer);
    two.rememberTokens(answer);
    one.forgetToken(1);
    one.rememberTokens([token(9, 8, 3), token(2, 9, 3)]);
    expect([...one.tokens.keys()].sort()).toEqual([2, 9]);
    expect(one.tokens.get(2)).toBe(answer[1]); // first arrival wins
    expect([...two.tokens.keys()].sort()).toEqual([1, 2]);
    expect(two.users.has(8)).toBe(false);
  });

  it('a request that has seen nothing knows nothing', () => {
    const seen = new SeenObjects();
    seen.forgetToken(1);
    expect(seen.tokens.size).toBe(0);
    expect(seen.user(answer[0]!.user)).toBe(answer[0]!.user);
  });
});
