/** Shared helpers for the fake authentik tests. */
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import type { ServedToken } from '../../src/fake-authentik/types.js';

/** The `pagination` block of a list answer. */
export interface Pagination {
  next: number;
  previous: number;
  count: number;
  current: number;
  total_pages: number;
  start_index: number;
  end_index: number;
}

/** A list answer. */
export interface Envelope {
  pagination: Pagination;
  results: ServedToken[];
  autocomplete?: Record<string, unknown>;
}

/** A fetched answer with its body parsed when it is JSON. */
export interface Fetched {
  status: number;
  contentType: string | null;
  text: string;
  body: unknown;
}

/** GETs (or `method`s) `path` with an optional bearer token (`null`: no Authorization header). */
export async function call(
  fake: FakeAuthentik,
  path: string,
  bearer: string | null = fake.tokens.admin,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<Fetched> {
  const headers: Record<string, string> = { ...init.headers };
  if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
  const res = await fetch(`${fake.url}${path}`, { method: init.method ?? 'GET', headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, body };
}

/** GETs a refresh-token list page and returns the envelope (asserting a 200). */
export async function list(
  fake: FakeAuthentik,
  query = '',
  bearer: string = fake.tokens.admin,
): Promise<Envelope> {
  const res = await call(fake, `/api/v3/oauth2/refresh_tokens/${query ? `?${query}` : ''}`, bearer);
  if (res.status !== 200) throw new Error(`list ${query}: ${res.status} ${res.text}`);
  return res.body as Envelope;
}

/** Fetches every page of a list query (pk ordering recommended) and concatenates the results. */
export async function listAll(
  fake: FakeAuthentik,
  query: string,
  bearer: string = fake.tokens.admin,
): Promise<ServedToken[]> {
  const out: ServedToken[] = [];
  for (let page = 1; ; page++) {
    const env = await list(fake, `${query}&page=${page}`, bearer);
    out.push(...env.results);
    if (env.pagination.next === 0) return out;
  }
}

/** Compares two sort keys the way the fake orders `expires` (null greatest). */
export function expiresKey(t: ServedToken): number {
  return t.expires === null ? Number.POSITIVE_INFINITY : Date.parse(t.expires);
}
