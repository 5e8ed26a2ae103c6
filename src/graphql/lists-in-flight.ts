/**
 * The list answers one request is still waiting for. A lookup in the same operation (say
 * `refreshToken(pk:)` beside `refreshTokens`) waits for them before it loads, so that a row a
 * list delivers (and primes into the loaders) costs no second call.
 */
export class ListsInFlight {
  private readonly pending = new Set<Promise<unknown>>();

  /** Tracks `list` until it settles; returns it. */
  track<T>(list: Promise<T>): Promise<T> {
    this.pending.add(list);
    const done = () => this.pending.delete(list);
    list.then(done, done);
    return list;
  }

  /**
   * Resolves once no tracked list is pending. It first lets the operation's sibling fields start
   * (they are called one after another in the same turn), so that a lookup written before its list
   * still waits for it.
   */
  async settled(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
