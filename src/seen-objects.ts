import type { UpstreamProvider, UpstreamToken, UpstreamUser } from './upstream/types.js';

// Tokens remembered per request: enough for any page and its lookups, while a long search scan
// (up to SEARCH_SCAN_LIMIT rows) does not keep every row it read alive until the request ends.
const MAX_REMEMBERED_TOKENS = 1_000;

/**
 * The objects this request has already received from authentik, one per pk: every token, user
 * and provider embedded in any answer is remembered on arrival, so that each pk resolves to one
 * object per request and a later lookup of something already seen costs no call. Per request only.
 */
export class SeenObjects {
  readonly tokens = new Map<number, UpstreamToken>();
  readonly users = new Map<number, UpstreamUser>();
  readonly providers = new Map<number, UpstreamProvider>();

  /** Remembers the tokens and their embedded users and providers (first arrival wins). */
  rememberTokens(tokens: readonly UpstreamToken[]): void {
    for (const token of tokens) {
      if (!this.tokens.has(token.pk) && this.tokens.size < MAX_REMEMBERED_TOKENS) {
        this.tokens.set(token.pk, token);
      }
      if (!this.users.has(token.user.pk)) this.users.set(token.user.pk, token.user);
      if (!this.providers.has(token.provider.pk))
        this.providers.set(token.provider.pk, token.provider);
    }
  }

  /** The one user object for this pk in this request. */
  user(user: UpstreamUser): UpstreamUser {
    return this.users.get(user.pk) ?? user;
  }

  /** The one provider object for this pk in this request. */
  provider(provider: UpstreamProvider): UpstreamProvider {
    return this.providers.get(provider.pk) ?? provider;
  }

  /** Forgets a deleted token. */
  forgetToken(pk: number): void {
    this.tokens.delete(pk);
  }
}
