/** Request routing and authentication: turns (method, path, query, Authorization) into an answer. */
import { parsePythonInt } from './format.js';
import { listAnswer, parseFlags } from './listing.js';
import { serializeOAuth2Provider, serializeUser } from './serialize.js';
import type { FakeStore } from './store.js';
import type { GrantKind, UserRecord } from './types.js';
import { FAKE_GRANT_KINDS, GRANT_KINDS } from './types.js';
import { userListAnswer } from './user-listing.js';

/** A complete HTTP answer. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';

/** Django's production 404 page. */
export const HTML_404 =
  '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';
/** Django's production 500 page. */
export const HTML_500 =
  '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n';

/** A JSON answer. */
export function json(status: number, body: string | Buffer): Answer {
  return { status, headers: { 'content-type': JSON_TYPE }, body };
}

/** An HTML answer. */
export function html(status: number, body: string): Answer {
  return { status, headers: { 'content-type': HTML_TYPE }, body };
}

const detail = (status: number, message: string): Answer =>
  json(status, JSON.stringify({ detail: message }));
const NOT_PROVIDED = detail(403, 'Authentication credentials were not provided.');
const INVALID_TOKEN = detail(403, 'Token invalid/expired');
const FORBIDDEN = detail(403, 'You do not have permission to perform this action.');
const NOT_FOUND = detail(404, 'Not found.');
const notAllowed = (method: string): Answer => detail(405, `Method "${method}" not allowed.`);
const noMatch = (model: string): Answer => detail(404, `No ${model} matches the given query.`);

/** authentik's bearer authentication: the caller, or the 403 answer. */
export function authenticate(store: FakeStore, header: string | undefined): UserRecord | Answer {
  const value = (header ?? '').trim();
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return NOT_PROVIDED;
  const token = value.slice(space + 1);
  if (store.expiredTokens.has(token)) return INVALID_TOKEN;
  return store.userForBearer(token) ?? INVALID_TOKEN;
}

type Route =
  | { kind: 'list'; grant: GrantKind }
  | { kind: 'live' }
  | { kind: 'ready' }
  | { kind: 'token'; grant: GrantKind; id: string }
  | { kind: 'usedBy'; grant: GrantKind; id: string }
  | { kind: 'users' }
  | { kind: 'user'; id: string }
  | { kind: 'provider'; id: string };

const ID = '([^/.]+)';
const GRANT = `(${GRANT_KINDS.join('|')})`;
// Authorization codes have no used_by action.
const USED_BY_GRANT = `(${GRANT_KINDS.filter((kind) => FAKE_GRANT_KINDS[kind].usedBy).join('|')})`;
const grantOf = (m: RegExpExecArray) => m[1] as GrantKind;
const ROUTES: [RegExp, (m: RegExpExecArray) => Route][] = [
  [new RegExp(`^/api/v3/oauth2/${GRANT}/$`), (m) => ({ kind: 'list', grant: grantOf(m) })],
  [
    new RegExp(`^/api/v3/oauth2/${GRANT}/${ID}/$`),
    (m) => ({ kind: 'token', grant: grantOf(m), id: m[2] ?? '' }),
  ],
  [
    new RegExp(`^/api/v3/oauth2/${USED_BY_GRANT}/${ID}/used_by/$`),
    (m) => ({ kind: 'usedBy', grant: grantOf(m), id: m[2] ?? '' }),
  ],
  [/^\/api\/v3\/core\/users\/$/, () => ({ kind: 'users' })],
  [new RegExp(`^/api/v3/core/users/${ID}/$`), (m) => ({ kind: 'user', id: m[1] ?? '' })],
  [new RegExp(`^/api/v3/providers/oauth2/${ID}/$`), (m) => ({ kind: 'provider', id: m[1] ?? '' })],
  [/^\/-\/health\/live\/$/, () => ({ kind: 'live' })],
  [/^\/-\/health\/ready\/$/, () => ({ kind: 'ready' })],
];

/** Which route a path names (undefined: HTML 404). */
export function matchRoute(path: string): Route | undefined {
  for (const [pattern, make] of ROUTES) {
    const m = pattern.exec(path);
    if (m) return make(m);
  }
  return undefined;
}

function decodeId(id: string): number | null {
  try {
    return parsePythonInt(decodeURIComponent(id));
  } catch {
    return null;
  }
}

/** Everything the router needs to know about a request. */
export interface RouteInput {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  ready: boolean;
}

/** Answers one request. DELETE mutates the store; everything else is read-only. */
export function route(store: FakeStore, req: RouteInput): Answer {
  const target = matchRoute(req.path);
  if (!target) return html(404, HTML_404);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (target.kind === 'live') return { status: 200, headers: {}, body: '' };
  if (target.kind === 'ready')
    return req.ready
      ? { status: 200, headers: {}, body: '' }
      : { status: 503, headers: {}, body: '' };

  const caller = authenticate(store, req.authorization);
  if ('status' in caller) return caller;

  if (target.kind === 'list') {
    if (method !== 'GET') return notAllowed(req.method);
    const answer = listAnswer(store, caller, req.query, target.grant);
    return json(answer.status, answer.body);
  }

  if (target.kind === 'users') {
    if (method !== 'GET') return notAllowed(req.method);
    if (!caller.isSuperuser) return FORBIDDEN;
    const answer = userListAnswer(store, req.query);
    return json(answer.status, answer.body);
  }

  const id = decodeId(target.id);
  if (target.kind === 'user' || target.kind === 'provider') {
    if (method !== 'GET') return notAllowed(req.method);
    if (!caller.isSuperuser) return FORBIDDEN;
    if (id === null) return NOT_FOUND;
    if (target.kind === 'user') {
      const user = store.user(id);
      if (!user) return noMatch('User');
      return json(200, JSON.stringify(serializeUser(user, store.shape, parseFlags(req.query))));
    }
    const provider = store.provider(id);
    if (!provider) return noMatch('OAuth2Provider');
    return json(200, JSON.stringify(serializeOAuth2Provider(provider, store.shape)));
  }

  const allowed = target.kind === 'token' ? ['GET', 'DELETE'] : ['GET'];
  if (!allowed.includes(method)) return notAllowed(req.method);
  if (id === null) return NOT_FOUND;
  const token = store.token(id, target.grant);
  if (!token || (!caller.isSuperuser && token.userPk !== caller.pk)) {
    return noMatch(FAKE_GRANT_KINDS[target.grant].notFoundModel);
  }
  if (target.kind === 'usedBy') return json(200, '[]');
  if (method === 'DELETE') {
    // delete_refreshtoken / delete_accesstoken / delete_authorizationcode: admins only here.
    if (!caller.isSuperuser) return FORBIDDEN;
    store.deleteToken(token.pk, target.grant);
    return { status: 204, headers: {}, body: '' };
  }
  return json(200, store.tokenJson(token, parseFlags(req.query), target.grant));
}
