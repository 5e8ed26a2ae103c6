/** Deterministic sample data: users, groups, roles, OAuth2 providers and refresh tokens. */
import { createHash } from 'node:crypto';
import { Random, formatMicros, isoToMicros, pythonJsonDumps } from './format.js';
import type {
  GroupRecord,
  JsonObject,
  ProviderRecord,
  RoleRecord,
  GrantRecord,
  UserRecord,
} from './types.js';

/**
 * The fixed "now" every `is_expired` is computed against, so answers never depend on the clock:
 * a token is expired when `expires` is non-null and earlier than this instant.
 */
export const REFERENCE_NOW = '2026-06-01T12:00:00Z';
/** API bearer token of the superuser `akadmin` (same for every seed). */
export const ADMIN_TOKEN = 'demo-admin-token';
/** The superuser's `n`-th extra API token (1-based): `demo-admin-token-<n>`. */
export function extraAdminTokenFor(n: number): string {
  return `${ADMIN_TOKEN}-${n}`;
}
/** A known but expired API token: always answers 403 `Token invalid/expired`. */
export const EXPIRED_TOKEN = 'demo-expired-token';
/** API bearer token of an ordinary user: `demo-token-<username>`. */
export function userTokenFor(username: string): string {
  return `demo-token-${username}`;
}

/** The neutral, shape-independent sample data. */
export interface Dataset {
  readonly referenceNowMicros: number;
  readonly groups: GroupRecord[];
  readonly roles: RoleRecord[];
  readonly users: UserRecord[];
  readonly providers: ProviderRecord[];
  /** Refresh tokens, ordered by pk ascending. */
  readonly tokens: GrantRecord[];
  /** Access tokens (their own table: pks overlap with refresh tokens), pk ascending. */
  readonly accessTokens: GrantRecord[];
  /** Authorization codes (their own table), pk ascending. */
  readonly authorizationCodes: GrantRecord[];
}

const DAY = 86_400_000_000;
const SCOPE_SETS: string[][] = [
  ['openid', 'profile', 'email', 'offline_access'],
  ['openid', 'email', 'profile', 'offline_access'],
  ['openid', 'profile', 'email', 'offline_access', 'groups'],
  ['openid', 'offline_access'],
  ['openid', 'profile', 'email', 'offline_access', 'goauthentik.io/api'],
  ['offline_access', 'openid', 'email'],
];

interface UserSpec {
  pk: number;
  username: string;
  name: string;
  email: string;
  type: string;
  groups: string[];
  roles: string[];
  attributes: JsonObject;
  weight: number;
  providerWeights?: number[];
  isActive?: boolean;
  superuser?: boolean;
}

// prettier-ignore
const USER_SPECS: UserSpec[] = [
  { pk: 4, username: 'akadmin', name: 'authentik Default Admin', email: 'admin@acme.example', type: 'internal', groups: ['authentik Admins'], roles: ['Platform Admin'], attributes: { settings: { locale: 'en' } }, weight: 6, superuser: true },
  { pk: 7, username: 'jsmith', name: 'John Smith', email: 'john.smith@acme.example', type: 'internal', groups: ['Engineering', 'SRE', 'Grafana Editors'], roles: ['Token Auditor'], attributes: { settings: { theme: { base: 'dark' } }, phone: '+1 555 0100' }, weight: 30 },
  { pk: 9, username: 'asmithson', name: 'Alice Smithson', email: 'alice.smithson@acme.example', type: 'internal', groups: ['Engineering', 'Finance'], roles: ['Helpdesk', 'Read-only'], attributes: {}, weight: 8 },
  { pk: 15, username: 'mgarcia', name: 'María García', email: 'maria.garcia@acme.example', type: 'internal', groups: ['Finance', 'Grafana Editors'], roles: [], attributes: { settings: { locale: 'es' }, department: 'Finanzas' }, weight: 10 },
  { pk: 16, username: 'li.wei', name: 'Li Wei', email: 'li.wei@partner.example', type: 'external', groups: ['Contractors'], roles: ['Read-only'], attributes: { company: 'Partner Ltd.' }, weight: 5 },
  { pk: 23, username: 'ci-deploy', name: 'CI Deploy Bot', email: '', type: 'service_account', groups: ['Service Accounts'], roles: [], attributes: { 'goauthentik.io/user/service-account': true, 'goauthentik.io/user/token-expires': false }, weight: 25, providerWeights: [0, 20, 0, 0, 30, 0] },
  { pk: 31, username: 'cokafor', name: 'Chinedu Okafor', email: 'c.okafor@partner.example', type: 'external', groups: ['Contractors', 'Engineering'], roles: [], attributes: {}, weight: 3 },
  { pk: 42, username: 'nkowalski', name: 'Natalia Kowalski', email: 'natalia.kowalski@acme.example', type: 'internal', groups: ['Engineering', 'SRE'], roles: ['Platform Admin', 'Token Auditor'], attributes: { settings: { locale: 'pl' } }, weight: 7 },
  { pk: 58, username: 'tnguyen', name: 'Thanh Nguyen', email: 'thanh.nguyen@acme.example', type: 'internal', groups: ['Finance'], roles: ['Helpdesk'], attributes: {}, weight: 4 },
  { pk: 61, username: 'grafana-sync', name: 'Grafana Sync', email: 'grafana-sync@acme.example', type: 'internal_service_account', groups: ['Service Accounts'], roles: [], attributes: { 'goauthentik.io/user/service-account': true }, weight: 6, providerWeights: [1, 0, 0, 0, 0, 0] },
  { pk: 77, username: 'ehernandez', name: 'Elena Hernández Smith', email: 'elena.hernandez@partner.example', type: 'external', groups: ['Contractors'], roles: [], attributes: { 'goauthentik.io/user/sources': ['GitHub'] }, weight: 2 },
  { pk: 103, username: 'dormant', name: 'Dormant Account', email: 'dormant@acme.example', type: 'internal', groups: [], roles: [], attributes: {}, weight: 0, isActive: false },
];

const GROUP_SPECS: { name: string; superuser: boolean; parent?: string; attributes: JsonObject }[] =
  [
    { name: 'authentik Admins', superuser: true, attributes: {} },
    { name: 'Engineering', superuser: false, attributes: { notes: 'All engineers' } },
    { name: 'SRE', superuser: false, parent: 'Engineering', attributes: { oncall: true } },
    { name: 'Finance', superuser: false, attributes: {} },
    { name: 'Contractors', superuser: false, attributes: { expires: '2026-12-31' } },
    { name: 'Service Accounts', superuser: false, attributes: {} },
    {
      name: 'Grafana Editors',
      superuser: false,
      parent: 'Engineering',
      attributes: { grafana_role: 'Editor' },
    },
  ];

const ROLE_NAMES = ['Platform Admin', 'Token Auditor', 'Helpdesk', 'Read-only'];

interface ProviderSpec {
  pk: number;
  name: string;
  slug: string | null;
  appName: string | null;
  clientType: 'confidential' | 'public';
  subMode: string;
  issuerMode: 'global' | 'per_provider';
  redirects: { matchingMode: 'strict' | 'regex'; url: string }[];
  weight: number;
}

// prettier-ignore
const PROVIDER_SPECS: ProviderSpec[] = [
  { pk: 3, name: 'Grafana', slug: 'grafana', appName: 'Grafana', clientType: 'confidential', subMode: 'hashed_user_id', issuerMode: 'per_provider', redirects: [{ matchingMode: 'strict', url: 'https://grafana.acme.example/login/generic_oauth' }], weight: 30 },
  { pk: 5, name: 'GitLab', slug: 'gitlab', appName: 'GitLab', clientType: 'confidential', subMode: 'user_email', issuerMode: 'per_provider', redirects: [{ matchingMode: 'strict', url: 'https://gitlab.acme.example/users/auth/openid_connect/callback' }], weight: 25 },
  { pk: 8, name: 'Nextcloud', slug: 'nextcloud', appName: 'Nextcloud', clientType: 'confidential', subMode: 'user_username', issuerMode: 'global', redirects: [{ matchingMode: 'regex', url: 'https://cloud\\.acme\\.example/apps/user_oidc/code.*' }], weight: 15 },
  { pk: 12, name: 'Acme Mobile App', slug: 'acme-mobile', appName: 'Acme Mobile', clientType: 'public', subMode: 'user_uuid', issuerMode: 'per_provider', redirects: [{ matchingMode: 'strict', url: 'com.acme.mobile://oauth/callback' }, { matchingMode: 'strict', url: 'http://localhost:8100/callback' }], weight: 12 },
  { pk: 13, name: 'Jenkins', slug: 'jenkins', appName: 'Jenkins CI', clientType: 'confidential', subMode: 'hashed_user_id', issuerMode: 'per_provider', redirects: [{ matchingMode: 'strict', url: 'https://ci.acme.example/securityRealm/finishLogin' }], weight: 10 },
  { pk: 21, name: 'Old Wiki (unassigned)', slug: null, appName: null, clientType: 'public', subMode: 'user_id', issuerMode: 'per_provider', redirects: [], weight: 3 },
];

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomInstant(rng: Random, from: number, to: number): number {
  const seconds = Math.floor((from + rng.next() * (to - from)) / 1_000_000);
  const micros = rng.chance(0.6) ? rng.int(1, 999_999) : 0;
  return seconds * 1_000_000 + micros;
}

function buildGroups(rng: Random): GroupRecord[] {
  const groups: GroupRecord[] = [];
  for (const spec of GROUP_SPECS) {
    const parent = groups.find((g) => g.name === spec.parent) ?? null;
    groups.push({
      pk: rng.uuid(),
      numPk: rng.int(1000, 99_999),
      name: spec.name,
      isSuperuser: spec.superuser,
      parent,
      attributes: spec.attributes,
    });
  }
  return groups;
}

function buildUsers(
  rng: Random,
  seed: number,
  groups: GroupRecord[],
  roles: RoleRecord[],
  now: number,
): UserRecord[] {
  return USER_SPECS.map((spec) => {
    const dateJoined = randomInstant(rng, now - 900 * DAY, now - 200 * DAY);
    const passwordChangeDate = randomInstant(rng, dateJoined, now - 30 * DAY);
    const lastLogin =
      spec.type.includes('service_account') || spec.isActive === false
        ? null
        : randomInstant(rng, now - 20 * DAY, now - DAY / 24);
    const lastUpdated = randomInstant(rng, Math.max(passwordChangeDate, lastLogin ?? 0), now);
    const md5 = createHash('md5').update(spec.email.toLowerCase()).digest('hex');
    return {
      pk: spec.pk,
      username: spec.username,
      name: spec.name,
      email: spec.email,
      isActive: spec.isActive ?? true,
      isSuperuser: spec.superuser ?? false,
      type: spec.type,
      lastLogin,
      dateJoined,
      passwordChangeDate,
      lastUpdated,
      groups: spec.groups
        .map((n) => groups.find((g) => g.name === n))
        .filter((g) => g !== undefined),
      roles: spec.roles.map((n) => roles.find((r) => r.name === n)).filter((r) => r !== undefined),
      attributes: spec.attributes,
      uuid: rng.uuid(),
      uid: createHash('sha256').update(`fake-authentik-${seed}-${spec.pk}`).digest('hex'),
      avatar: spec.email
        ? `https://secure.gravatar.com/avatar/${md5}?size=158&rating=g&default=404`
        : '/static/dist/assets/images/user_default.png',
      path: spec.type.includes('service_account') ? 'goauthentik.io/service-accounts' : 'users',
      apiToken: spec.superuser ? ADMIN_TOKEN : userTokenFor(spec.username),
    };
  });
}

function buildProviders(rng: Random): ProviderRecord[] {
  const implicitConsent = rng.uuid();
  const explicitConsent = rng.uuid();
  const invalidation = rng.uuid();
  const authentication = rng.uuid();
  const scopeMappings = [rng.uuid(), rng.uuid(), rng.uuid(), rng.uuid()];
  const groupsMapping = rng.uuid();
  const signingKey = rng.uuid();
  const githubSource = rng.uuid();
  return PROVIDER_SPECS.map((spec, i) => ({
    pk: spec.pk,
    name: spec.name,
    authenticationFlow: i === 3 ? authentication : null,
    authorizationFlow: spec.clientType === 'public' ? explicitConsent : implicitConsent,
    invalidationFlow: invalidation,
    propertyMappings: i === 0 || i === 2 ? [...scopeMappings, groupsMapping] : [...scopeMappings],
    applicationSlug: spec.slug,
    applicationName: spec.appName,
    clientType: spec.clientType,
    grantTypes:
      spec.clientType === 'public'
        ? ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']
        : ['authorization_code', 'refresh_token'],
    clientId: rng.chars(40, ALNUM),
    clientSecret: rng.chars(128, ALNUM),
    accessCodeValidity: 'minutes=1',
    accessTokenValidity: i === 0 ? 'minutes=10' : 'hours=1',
    refreshTokenValidity: i === 3 ? 'days=90' : 'days=30',
    refreshTokenThreshold: 'seconds=0',
    includeClaimsInIdToken: i !== 4,
    signingKey: i === 5 ? null : signingKey,
    encryptionKey: i === 2 ? rng.uuid() : null,
    redirectUris: spec.redirects,
    logoutUri:
      i === 2 ? 'https://cloud.acme.example/apps/user_oidc/backchannel-logout/authentik' : '',
    logoutMethod: i === 3 ? 'frontchannel' : 'backchannel',
    subMode: spec.subMode,
    issuerMode: spec.issuerMode,
    jwtFederationSources: i === 1 ? [githubSource] : [],
    jwtFederationProviders: i === 4 ? [5] : [],
  }));
}

function subject(provider: ProviderRecord, user: UserRecord): string {
  switch (provider.subMode) {
    case 'user_email':
      return user.email;
    case 'user_username':
      return user.username;
    case 'user_uuid':
      return user.uuid;
    case 'user_id':
      return String(user.pk);
    default:
      return user.uid;
  }
}

function idTokenFor(
  rng: Random,
  provider: ProviderRecord,
  user: UserRecord,
  scope: string[],
  expires: number | null,
  now: number,
): string {
  if (rng.chance(0.08)) return '{}';
  const iat = Math.floor(((expires ?? now + 10 * DAY) - 30 * DAY) / 1_000_000);
  const claims: JsonObject = {
    iss:
      provider.issuerMode === 'global'
        ? 'https://auth.acme.example/'
        : `https://auth.acme.example/application/o/${provider.applicationSlug ?? `provider-${provider.pk}`}/`,
    sub: subject(provider, user),
    aud: provider.clientId,
    exp: iat + 3600,
    iat,
    auth_time: iat - rng.int(0, 7200),
    acr: 'goauthentik.io/providers/oauth2/default',
    amr: rng.chance(0.4) ? ['pwd', 'mfa'] : ['pwd'],
    sid: rng.hex(64),
  };
  if (scope.includes('email')) {
    claims['email'] = user.email;
    claims['email_verified'] = true;
  }
  if (scope.includes('profile')) {
    claims['name'] = user.name;
    claims['given_name'] = user.name;
    claims['preferred_username'] = user.username;
    claims['nickname'] = user.username;
  }
  if (scope.includes('groups')) claims['groups'] = user.groups.map((g) => g.name);
  return pythonJsonDumps(claims);
}

function buildTokens(
  rng: Random,
  count: number,
  users: UserRecord[],
  providers: ProviderRecord[],
  now: number,
): GrantRecord[] {
  // A small pool of expiry instants so that many tokens share `expires` (ties under the default
  // ordering); about 30% of the pool lies before REFERENCE_NOW.
  const pool: number[] = [];
  for (let i = 0; i < 48; i++) {
    pool.push(
      i % 10 < 3
        ? randomInstant(rng, now - 90 * DAY, now - DAY / 24)
        : randomInstant(rng, now + DAY / 24, now + 90 * DAY),
    );
  }
  const userWeights = USER_SPECS.map((s) => s.weight);
  const tokens: GrantRecord[] = [];
  let pk = 1041;
  for (let i = 0; i < count; i++) {
    const userIndex = rng.weighted(userWeights);
    const user = users[userIndex];
    const spec = USER_SPECS[userIndex];
    if (!user || !spec) throw new Error('bad user index');
    const provider =
      providers[rng.weighted(spec.providerWeights ?? PROVIDER_SPECS.map((p) => p.weight))];
    if (!provider) throw new Error('bad provider index');
    const expires = rng.chance(0.03) ? null : rng.pick(pool);
    const scope = [...rng.pick(SCOPE_SETS)];
    tokens.push({
      pk,
      providerPk: provider.pk,
      userPk: user.pk,
      expires,
      scope,
      idToken: idTokenFor(rng, provider, user, scope, expires, now),
      revoked: rng.chance(0.15),
    });
    pk += rng.chance(0.12) ? rng.int(2, 6) : 1;
  }
  return tokens;
}

/** Builds the whole sample data set, deterministically from `seed`. */
export function buildDataset(
  seed: number,
  tokenCount: number,
  accessTokenCount = 150,
  authorizationCodeCount = 15,
): Dataset {
  const rng = new Random(seed);
  const now = isoToMicros(REFERENCE_NOW);
  const groups = buildGroups(rng);
  const roles = ROLE_NAMES.map((name) => ({ pk: rng.uuid(), name }));
  const users = buildUsers(rng, seed, groups, roles, now);
  const providers = buildProviders(rng);
  const tokens = buildTokens(rng, tokenCount, users, providers, now);
  // Drawn after the refresh tokens, so that adding them left the refresh tokens unchanged.
  const accessTokens = buildTokens(rng, accessTokenCount, users, providers, now);
  const authorizationCodes = buildTokens(rng, authorizationCodeCount, users, providers, now);
  return {
    referenceNowMicros: now,
    groups,
    roles,
    users,
    providers,
    tokens,
    accessTokens,
    authorizationCodes,
  };
}

/** Formats an epoch-microsecond date the way the upstream does (re-exported for tests). */
export const formatDate = formatMicros;
