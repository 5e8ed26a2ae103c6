/** The fake's mutable state: data set, effective options, lookups and response caches. */
import {
  ADMIN_TOKEN,
  EXPIRED_TOKEN,
  REFERENCE_NOW,
  extraAdminTokenFor,
  type Dataset,
} from './data.js';
import {
  ALL_INCLUDED,
  serializeGrant,
  serializeOAuth2Provider,
  serializeToken,
  serializeUser,
  type SerializeFlags,
} from './serialize.js';
import { FAKE_GRANT_KINDS, GRANT_KINDS } from './types.js';
import type {
  FakeAuthentikOptions,
  GrantKind,
  GrantRecordsField,
  GroupRecord,
  JsonObject,
  ProviderRecord,
  RoleRecord,
  ServedGrant,
  ServedToken,
  GrantRecord,
  UpstreamShape,
  UserRecord,
} from './types.js';

/** Options that can change at run time (see `FakeAuthentik.setOptions`). */
export type MutableOptions = Partial<
  Pick<FakeAuthentikOptions, 'shape' | 'maxPageSize' | 'defaultPageSize' | 'latencyMs'>
>;

/**
 * The fake's data, for tests to compute expected answers. Every getter renders the rows as the
 * server would serve them under the options in force right now (shape; groups and roles included).
 */
export interface FakeData {
  /** The fixed instant `is_expired` is computed against (see `REFERENCE_NOW`). */
  readonly referenceNow: string;
  /** The shape currently served. */
  readonly shape: UpstreamShape;
  /** Effective default page size. */
  readonly defaultPageSize: number;
  /** Effective maximum page size (`null`: unlimited). */
  readonly maxPageSize: number | null;
  /** Every stored refresh token as served (pk ascending), as the superuser sees it. */
  readonly refreshTokens: ServedToken[];
  /** Every stored grant of one kind as served (pk ascending), as the superuser sees it. */
  grants(kind: GrantKind): ServedGrant[];
  /** Every user as `GET /core/users/{id}/` serves it (pk ascending). */
  readonly users: JsonObject[];
  /** Every provider as `GET /providers/oauth2/{id}/` serves it (pk ascending, full OAuth2Provider). */
  readonly providers: JsonObject[];
  /**
   * The neutral, shape-independent rows, with each grant kind's under its `records` field
   * (`tokens`, `accessTokens`, ...; live: DELETE removes from them).
   */
  readonly records: {
    readonly users: readonly UserRecord[];
    readonly providers: readonly ProviderRecord[];
    readonly groups: readonly GroupRecord[];
    readonly roles: readonly RoleRecord[];
  } & { readonly [field in GrantRecordsField]: readonly GrantRecord[] };
  /** The user an API bearer token authenticates (undefined: unknown or expired token). */
  userForBearer(bearer: string): UserRecord | undefined;
  /** The token rows a caller may see (superuser: all; others: their own), pk ascending. */
  visibleGrants(bearer: string, kind?: GrantKind): GrantRecord[];
  /**
   * Most requests of `method` the server was answering at the same time since the last
   * `resetRequests()` (e.g. DELETEs in flight during a revoke).
   */
  maxInFlight(method: string): number;
}

// One value per grant kind.
function perKind<T>(make: (kind: GrantKind) => T): Record<GrantKind, T> {
  return Object.fromEntries(GRANT_KINDS.map((kind) => [kind, make(kind)])) as Record<GrantKind, T>;
}

/** Implementation of {@link FakeData} plus the server's internal caches. */
export class FakeStore implements FakeData {
  readonly referenceNow = REFERENCE_NOW;
  readonly referenceNowMicros: number;
  readonly expiredTokens = new Set([EXPIRED_TOKEN]);
  /** The superuser's extra API tokens (`FakeAuthentikOptions.extraAdminTokens`), in order. */
  readonly extraAdminTokens: string[] = [];
  readonly seed: number;
  shape: UpstreamShape;
  latencyMs: number;
  private explicitMax: number | undefined;
  private explicitDefault: number | undefined;
  private readonly dataset: Dataset;
  private readonly lists: Record<GrantKind, GrantRecord[]>;
  private readonly byPk: Record<GrantKind, Map<number, GrantRecord>>;
  private readonly byBearer = new Map<string, UserRecord>();
  private readonly userByPk = new Map<number, UserRecord>();
  private readonly providerByPk = new Map<number, ProviderRecord>();
  private readonly inFlight = new Map<string, number>();
  private readonly peakInFlight = new Map<string, number>();
  private readonly jsonCache = new Map<string, Map<number, string>>();
  private readonly listCache = new Map<string, GrantRecord[]>();
  private readonly bodyCache = new Map<string, Buffer>();
  private bodyCacheBytes = 0;

  constructor(dataset: Dataset, options: FakeAuthentikOptions) {
    this.dataset = dataset;
    this.seed = options.seed ?? 1;
    this.referenceNowMicros = dataset.referenceNowMicros;
    this.lists = perKind((kind) => [...dataset[FAKE_GRANT_KINDS[kind].records]]);
    this.shape = options.shape ?? 'current';
    this.latencyMs = options.latencyMs ?? 0;
    this.explicitMax = options.maxPageSize;
    this.explicitDefault = options.defaultPageSize;
    for (const u of dataset.users) {
      this.userByPk.set(u.pk, u);
      if (u.apiToken) this.byBearer.set(u.apiToken, u);
    }
    const admin = this.byBearer.get(ADMIN_TOKEN);
    const extraAdminTokens = options.extraAdminTokens ?? 0;
    for (let n = 1; admin && n <= extraAdminTokens; n++) {
      this.byBearer.set(extraAdminTokenFor(n), admin);
      this.extraAdminTokens.push(extraAdminTokenFor(n));
    }
    for (const p of dataset.providers) this.providerByPk.set(p.pk, p);
    const index = (rows: GrantRecord[]) => new Map(rows.map((t) => [t.pk, t]));
    this.byPk = perKind((kind) => index(this.lists[kind]));
  }

  /** Counts a request of `method` as being answered (until `finished`). */
  started(method: string): void {
    const now = (this.inFlight.get(method) ?? 0) + 1;
    this.inFlight.set(method, now);
    this.peakInFlight.set(method, Math.max(now, this.peakInFlight.get(method) ?? 0));
  }

  /** The request of `method` has been answered (or dropped). */
  finished(method: string): void {
    this.inFlight.set(method, Math.max(0, (this.inFlight.get(method) ?? 0) - 1));
  }

  maxInFlight(method: string): number {
    return this.peakInFlight.get(method) ?? 0;
  }

  /** Starts a new concurrency measurement (with `resetRequests`). */
  resetInFlightPeaks(): void {
    this.peakInFlight.clear();
    for (const [method, now] of this.inFlight) if (now > 0) this.peakInFlight.set(method, now);
  }

  /** Applies a run-time option patch; a key present with `undefined` restores the shape default. */
  setOptions(patch: MutableOptions): void {
    if ('shape' in patch) this.shape = patch.shape ?? 'current';
    if ('latencyMs' in patch) this.latencyMs = patch.latencyMs ?? 0;
    if ('maxPageSize' in patch) this.explicitMax = patch.maxPageSize;
    if ('defaultPageSize' in patch) this.explicitDefault = patch.defaultPageSize;
  }

  get defaultPageSize(): number {
    return this.explicitDefault ?? (this.shape === 'legacy-2024' ? 100 : 20);
  }

  get maxPageSize(): number | null {
    return this.explicitMax ?? (this.shape === 'legacy-2024' ? null : 100);
  }

  get records(): FakeData['records'] {
    const d = this.dataset;
    const grants = Object.fromEntries(
      GRANT_KINDS.map((kind) => [FAKE_GRANT_KINDS[kind].records, this.lists[kind]]),
    ) as Record<GrantRecordsField, GrantRecord[]>;
    return { users: d.users, providers: d.providers, ...grants, groups: d.groups, roles: d.roles };
  }

  get refreshTokens(): ServedToken[] {
    return this.lists.refresh_tokens.map((t) => this.serveToken(t, ALL_INCLUDED));
  }

  grants(kind: GrantKind): ServedGrant[] {
    return this.lists[kind].map((t) => this.serveGrant(t, ALL_INCLUDED, kind));
  }

  get users(): JsonObject[] {
    return this.dataset.users.map((u) => serializeUser(u, this.shape, ALL_INCLUDED));
  }

  get providers(): JsonObject[] {
    return this.dataset.providers.map((p) => serializeOAuth2Provider(p, this.shape));
  }

  /** The superuser's API token. */
  get adminToken(): string {
    return ADMIN_TOKEN;
  }

  userForBearer(bearer: string): UserRecord | undefined {
    return this.byBearer.get(bearer);
  }

  visibleGrants(bearer: string, kind: GrantKind = 'refresh_tokens'): GrantRecord[] {
    const user = this.byBearer.get(bearer);
    return user ? this.visibleTo(user, kind) : [];
  }

  /** Grant rows of one kind `caller` may see (owner scoping), pk ascending. */
  visibleTo(caller: UserRecord, kind: GrantKind = 'refresh_tokens'): GrantRecord[] {
    const rows = this.lists[kind];
    return caller.isSuperuser ? rows : rows.filter((t) => t.userPk === caller.pk);
  }

  /** A user by pk. */
  user(pk: number): UserRecord | undefined {
    return this.userByPk.get(pk);
  }

  /** A provider by pk. */
  provider(pk: number): ProviderRecord | undefined {
    return this.providerByPk.get(pk);
  }

  /** A stored grant by pk (regardless of visibility). */
  token(pk: number, kind: GrantKind = 'refresh_tokens'): GrantRecord | undefined {
    return this.byPk[kind].get(pk);
  }

  /** Removes a grant and drops every cached list. */
  deleteToken(pk: number, kind: GrantKind = 'refresh_tokens'): void {
    const rows = this.lists[kind];
    const index = rows.findIndex((t) => t.pk === pk);
    if (index >= 0) rows.splice(index, 1);
    this.byPk[kind].delete(pk);
    this.listCache.clear();
    this.bodyCache.clear();
    this.bodyCacheBytes = 0;
  }

  /** A token rendered for the current shape. */
  serveToken(t: GrantRecord, flags: SerializeFlags): ServedToken {
    const provider = this.providerByPk.get(t.providerPk);
    const user = this.userByPk.get(t.userPk);
    if (!provider || !user) throw new Error(`token ${t.pk} has dangling references`);
    return serializeToken(t, provider, user, this.shape, flags, this.referenceNowMicros);
  }

  /** A grant of any kind rendered for the current shape (codes without id_token and revoked). */
  serveGrant(t: GrantRecord, flags: SerializeFlags, kind: GrantKind): ServedGrant {
    if (FAKE_GRANT_KINDS[kind].model === 'TokenModel') return this.serveToken(t, flags);
    const provider = this.providerByPk.get(t.providerPk);
    const user = this.userByPk.get(t.userPk);
    if (!provider || !user) throw new Error(`code ${t.pk} has dangling references`);
    return serializeGrant(t, provider, user, this.shape, flags, this.referenceNowMicros);
  }

  /** The grant's JSON text for the current shape and flags (cached). */
  tokenJson(t: GrantRecord, flags: SerializeFlags, kind: GrantKind = 'refresh_tokens'): string {
    const key = `${kind}|${this.shape}|${flags.includeGroups}|${flags.includeRoles}`;
    let cache = this.jsonCache.get(key);
    if (!cache) {
      cache = new Map();
      this.jsonCache.set(key, cache);
    }
    let text = cache.get(t.pk);
    if (text === undefined) {
      text = JSON.stringify(this.serveGrant(t, flags, kind));
      cache.set(t.pk, text);
    }
    return text;
  }

  /** Memoizes a computed token list under `key` until the next DELETE. */
  cachedList(key: string, compute: () => GrantRecord[]): GrantRecord[] {
    let list = this.listCache.get(key);
    if (!list) {
      if (this.listCache.size > 2000) this.listCache.clear();
      list = compute();
      this.listCache.set(key, list);
    }
    return list;
  }

  /** Memoizes a whole response body under `key` (bounded to ~64 MB) until the next DELETE. */
  cachedBody(key: string, compute: () => string): Buffer {
    let body = this.bodyCache.get(key);
    if (!body) {
      body = Buffer.from(compute());
      if (this.bodyCacheBytes + body.length > 64 * 1024 * 1024) {
        this.bodyCache.clear();
        this.bodyCacheBytes = 0;
      }
      this.bodyCache.set(key, body);
      this.bodyCacheBytes += body.length;
    }
    return body;
  }
}
