import type { UpstreamProvider, UpstreamToken, UpstreamUser } from './upstream/types.js';

// Tokens remembered per request: enough for any page and its lookups, while a long search scan
// (up to SEARCH_SCAN_LIMIT rows) does not keep every row it read alive until the request ends.
const MAX_REMEMBERED_TOKENS = 1_000;

/** Tokens, users and providers by pk. */
interface ObjectsByPk {
  tokens: Map<number, UpstreamToken>;
  users: Map<number, UpstreamUser>;
  providers: Map<number, UpstreamProvider>;
}

const NOTHING_SEEN: ObjectsByPk = { tokens: new Map(), users: new Map(), providers: new Map() };

// The objects of one upstream answer, by pk, built once per answer: requests that shared the call
// (see upstream/shared-flights.ts) share this index too. Read-only once built.
const answerIndexes = new WeakMap<readonly UpstreamToken[], ObjectsByPk>();

function addTokens(into: ObjectsByPk, tokens: readonly UpstreamToken[]): void {
  for (const token of tokens) {
    if (!into.tokens.has(token.pk) && into.tokens.size < MAX_REMEMBERED_TOKENS) {
      into.tokens.set(token.pk, token);
    }
    if (!into.users.has(token.user.pk)) into.users.set(token.user.pk, token.user);
    if (!into.providers.has(token.provider.pk))
      into.providers.set(token.provider.pk, token.provider);
  }
}

function indexOfAnswer(tokens: readonly UpstreamToken[]): ObjectsByPk {
  let index = answerIndexes.get(tokens);
  if (!index) {
    index = { tokens: new Map(), users: new Map(), providers: new Map() };
    addTokens(index, tokens);
    answerIndexes.set(tokens, index);
  }
  return index;
}

/**
 * The objects this request has already received from authentik, one per pk: every token, user
 * and provider embedded in any answer is remembered on arrival, so that each pk resolves to one
 * object per request and a later lookup of something already seen costs no call. Per request only.
 * A request that has read one answer uses that answer's shared index; its own copy is made when a
 * second answer arrives or a token is forgotten.
 */
export class SeenObjects {
  private shared: ObjectsByPk | undefined;
  private own: ObjectsByPk | undefined;

  /** Tokens seen, by pk. */
  get tokens(): ReadonlyMap<number, UpstreamToken> {
    return this.current.tokens;
  }

  /** Users seen, by pk. */
  get users(): ReadonlyMap<number, UpstreamUser> {
    return this.current.users;
  }

  /** Providers seen, by pk. */
  get providers(): ReadonlyMap<number, UpstreamProvider> {
    return this.current.providers;
  }

  /** Remembers the tokens and their embedded users and providers (first arrival wins). */
  rememberTokens(tokens: readonly UpstreamToken[]): void {
    if (!this.shared && !this.own) {
      this.shared = indexOfAnswer(tokens);
      return;
    }
    addTokens(this.ownCopy(), tokens);
  }

  /** The one user object for this pk in this request. */
  user(user: UpstreamUser): UpstreamUser {
    return this.current.users.get(user.pk) ?? user;
  }

  /** The one provider object for this pk in this request. */
  provider(provider: UpstreamProvider): UpstreamProvider {
    return this.current.providers.get(provider.pk) ?? provider;
  }

  /** Forgets a deleted token. */
  forgetToken(pk: number): void {
    if (this.current.tokens.has(pk)) this.ownCopy().tokens.delete(pk);
  }

  private get current(): ObjectsByPk {
    return this.own ?? this.shared ?? NOTHING_SEEN;
  }

  private ownCopy(): ObjectsByPk {
    if (!this.own) {
      const from = this.shared ?? NOTHING_SEEN;
      this.own = {
        tokens: new Map(from.tokens),
        users: new Map(from.users),
        providers: new Map(from.providers),
      };
    }
    return this.own;
  }
}
