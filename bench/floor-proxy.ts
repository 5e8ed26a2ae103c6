/**
 * The floor: a hand-written proxy that does the bench's job without GraphQL. Per request it reads
 * and parses the JSON POST, makes one undici GET of authentik's list page with the caller's
 * Authorization (the call the gateway makes for the query, never shared between requests),
 * `JSON.parse`s the page, picks the fields the bench query selects and `JSON.stringify`s the
 * answer in the gateway's shape: `edges { cursor node }` when the query selects `edges`, else
 * `nodes`. What the gateway costs above this is the price of GraphQL.
 *
 * Self-contained (node: built-ins and undici only) so that the bench can transpile this one file
 * and run it with plain node, pinned and flagged like the gateway. As a script it reads
 * AUTHENTIK_URL, FLOOR_UPSTREAM_PATH, PORT and HOST, and stops on SIGTERM.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

/** The gateway's upstream call for the page20 query (its default ordering; the bench passes the recorded one). */
export const DEFAULT_FLOOR_UPSTREAM_PATH =
  '/api/v3/oauth2/refresh_tokens/?ordering=provider%2Cexpires%2Cpk&include_groups=false&include_roles=false&page=1&page_size=20';

export interface FloorProxyOptions {
  /** authentik's origin, e.g. `http://127.0.0.1:40123`. */
  upstreamUrl: string;
  /** Path and query of the one GET per request. Default {@link DEFAULT_FLOOR_UPSTREAM_PATH}. */
  upstreamPath?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Upper bound of one upstream call, in ms (the gateway's default). Default 10 000. */
  timeoutMs?: number;
}

export interface FloorProxy {
  /** e.g. `http://127.0.0.1:40123/graphql` (any path answers alike). */
  url: string;
  close(): Promise<void>;
}

interface UpstreamRefreshToken {
  pk: number;
  expires: string | null;
  is_expired: boolean;
  revoked: boolean;
  scope: string[];
  provider: { pk: number; name: string; assigned_application_name: string | null };
  user: { pk: number; username: string; name: string; email: string; is_active: boolean };
}

interface UpstreamPage {
  pagination: { next: number; start_index: number };
  results: UpstreamRefreshToken[];
}

const MAX_BODY_BYTES = 1024 * 1024;

// The gateway's cursor encoding (base64url of `rt1:<fingerprint>:<row index>`); the fingerprint of
// the gateway's query is its own business, so the floor's differs (and its cursors page nothing).
function cursorOf(index: number): string {
  return Buffer.from(`rt1:floor:${index}`).toString('base64url');
}

// The bench query's selection of one row, in the gateway's field order.
function nodeOf(token: UpstreamRefreshToken) {
  const { provider, user } = token;
  return {
    pk: token.pk,
    expires: token.expires,
    isExpired: token.is_expired,
    revoked: token.revoked,
    scope: token.scope,
    provider: {
      pk: provider.pk,
      name: provider.name,
      assignedApplicationName: provider.assigned_application_name,
    },
    user: {
      pk: user.pk,
      username: user.username,
      name: user.name,
      email: user.email,
      isActive: user.is_active,
    },
  };
}

/**
 * The gateway's answer to the bench's query, built from authentik's list page, with `edges`
 * (cursor and node per row) or `nodes`.
 */
export function page20Answer(page: UpstreamPage, withEdges: boolean): string {
  const first = Math.max(0, page.pagination.start_index - 1);
  const rows = page.results;
  const endCursor = rows.length > 0 ? cursorOf(first + rows.length - 1) : null;
  const pageInfo = { hasNextPage: page.pagination.next > 0, endCursor };
  const refreshTokens = withEdges
    ? {
        edges: rows.map((row, i) => ({ cursor: cursorOf(first + i), node: nodeOf(row) })),
        pageInfo,
      }
    : { nodes: rows.map(nodeOf), pageInfo };
  return JSON.stringify({ data: { refreshTokens } });
}

// The POST body, parsed (a real server has to), refused past the cap.
async function readJsonBody(req: IncomingMessage): Promise<{ query?: unknown }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: unknown };
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/graphql-response+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const errorBody = (message: string) => JSON.stringify({ errors: [{ message }] });

/** Starts the floor proxy on loopback; resolves once it listens. */
export async function startFloorProxy(options: FloorProxyOptions): Promise<FloorProxy> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const upstreamPath = options.upstreamPath ?? DEFAULT_FLOOR_UPSTREAM_PATH;
  // The gateway's pool settings (src/upstream/http.ts).
  const pool = new Pool(new URL(options.upstreamUrl).origin, {
    connections: 64,
    keepAliveTimeout: 30_000,
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return reply(res, 405, errorBody('POST only'));
    const { query } = await readJsonBody(req);
    const withEdges = typeof query === 'string' && query.includes('edges');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const upstream = await pool.request({ method: 'GET', path: upstreamPath, headers });
    const text = await upstream.body.text();
    if (upstream.statusCode !== 200) {
      return reply(res, 502, errorBody(`authentik answered ${upstream.statusCode}`));
    }
    reply(res, 200, page20Answer(JSON.parse(text) as UpstreamPage, withEdges));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      reply(res, 500, errorBody(error instanceof Error ? error.message : 'failed'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}

const runAsScript =
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === path.resolve(fileURLToPath(import.meta.url));

if (runAsScript) {
  const upstreamUrl = process.env.AUTHENTIK_URL;
  if (!upstreamUrl) throw new Error('AUTHENTIK_URL is required');
  const floor = await startFloorProxy({
    upstreamUrl,
    upstreamPath: process.env.FLOOR_UPSTREAM_PATH || undefined,
    port: Number(process.env.PORT ?? 0),
    host: process.env.HOST || '127.0.0.1',
  });
  const stop = () => void floor.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
