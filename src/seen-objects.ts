import type { GrantEndpoint } from './upstream/authentik.js';
import type { UpstreamProvider, UpstreamToken, UpstreamUser } from './upstream/types.js';

// Grants remembered per kind per request: enough for any page and its lookups, while a long search
// scan (up to SEARCH_SCAN_LIMIT rows) does not keep every row it read alive until the request ends.
const MAX_REMEMBERED_TOKENS = 1_000;

type GrantSegment = GrantEndpoint['segment'];

/** Grants by endpoint and pk (pks overlap between endpoints: each is its own table), users, providers. */
interface ObjectsByPk {
  grants: Map<GrantSegment, Map<number, UpstreamToken>>;
  users: Map<number, UpstreamUser>;
  providers: Map<number, UpstreamProvider>;
}

const NO_GRANTS: ReadonlyMap<number, UpstreamToken> = new Map();
const NOTHING_SEEN: ObjectsByPk = { grants: new Map(), users: new Map(), providers: new Map() };

// The objects of one upstream answer, by pk, built once per answer: requests that shared the call
// (see upstream/shared-flights.ts) share this index too. Read-only once built.
const answerIndexes = new WeakMap<readonly UpstreamToken[], ObjectsByPk>();

function addTokens(into: ObjectsByPk, tokens: readonly UpstreamToken[], kind: GrantSegment): void {
  let grants = into.grants.get(kind);
  if (!grants) into.grants.set(kind, (grants = new Map()));
  for (const token of tokens) {
    if (!grants.has(token.pk) && grants.size < MAX_REMEMBERED_TOKENS) {
      grants.set(token.pk, token);
    }
    if (!into.users.has(token.user.pk)) into.users.set(token.user.pk, token.user);
    if (!into.providers.has(token.provider.pk))
      into.providers.set(token.provider.pk, token.provider);
  }
}

// One answer is always one endpoint's rows, so the answer alone keys its index.
function indexOfAnswer(tokens: readonly UpstreamToken[], kind: GrantSegment): ObjectsByPk {
  let index = answerIndexes.get(tokens);
  if (!index) {
    index = { grants: new Map(), users: new Map(), providers: new Map() };
    addTokens(index, tokens, kind);
    answerIndexes.set(tokens, index);
  }
  return index;
}

/**
 * The objects this request has already received from authentik, one per pk: every grant, user
 * and provider embedded in any answer is remembered on arrival, so that each pk resolves to one
 * object per request and a later lookup of something already seen costs no call. Per request only.
 * A request that has read one answer uses that answer's shared index; its own copy is made when a
 * second answer arrives or a grant is forgotten.
 */
export class SeenObjects {
  private shared: ObjectsByPk | undefined;
  private own: ObjectsByPk | undefined;

  /** Refresh tokens seen, by pk. */
  get tokens(): ReadonlyMap<number, UpstreamToken> {
    return this.grants({ segment: 'refresh_tokens' });
  }

  /** Grants of one endpoint seen, by pk. */
  grants(endpoint: Pick<GrantEndpoint, 'segment'>): ReadonlyMap<number, UpstreamToken> {
    return this.current.grants.get(endpoint.segment) ?? NO_GRANTS;
  }

  /** Users seen, by pk. */
  get users(): ReadonlyMap<number, UpstreamUser> {
    return this.current.users;
  }

  /** Providers seen, by pk. */
  get providers(): ReadonlyMap<number, UpstreamProvider> {
    return this.current.providers;
  }

  /**
   * Remembers grants of one endpoint (default refresh tokens) and their embedded users and
   * providers (first arrival wins).
   */
  rememberTokens(tokens: readonly UpstreamToken[], kind: GrantSegment = 'refresh_tokens'): void {
    if (!this.shared && !this.own) {
      this.shared = indexOfAnswer(tokens, kind);
      return;
    }
    addTokens(this.ownCopy(), tokens, kind);
  }

  /** The one user object for this pk in this request. */
  user(user: UpstreamUser): UpstreamUser {
    return this.current.users.get(user.pk) ?? user;
  }

  /** The one provider object for this pk in this request. */
  provider(provider: UpstreamProvider): UpstreamProvider {
    return this.current.providers.get(provider.pk) ?? provider;
  }

  /** Forgets a deleted grant (default: a refresh token). */
  forgetToken(pk: number, kind: GrantSegment = 'refresh_tokens'): void {
    if (this.current.grants.get(kind)?.has(pk)) this.ownCopy().grants.get(kind)?.delete(pk);
  }

  private get current(): ObjectsByPk {
    return this.own ?? this.shared ?? NOTHING_SEEN;
  }

  private ownCopy(): ObjectsByPk {
    if (!this.own) {
      const from = this.shared ?? NOTHING_SEEN;
      this.own = {
        grants: new Map([...from.grants].map(([kind, rows]) => [kind, new Map(rows)])),
        users: new Map(from.users),
        providers: new Map(from.providers),
      };
    }
    return this.own;
  }
}
