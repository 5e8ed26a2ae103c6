/**
 * A faithful, deterministic fake of authentik's OAuth2 grant REST API (refresh tokens, access
 * tokens, authorization codes) over `node:http`: this file is its HTTP server and
 * {@link startFakeAuthentik}; data.ts its seeded data, store.ts its state, routes.ts and
 * listing.ts what it answers. Independent of the rest of `src/`. Demo bearer tokens (every
 * seed): `demo-admin-token` (superuser `akadmin`; with `extraAdminTokens: n` also
 * `demo-admin-token-1` … `-n`), `demo-token-<username>` (ordinary users), `demo-expired-token` (403).
 */
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ADMIN_TOKEN, EXPIRED_TOKEN, buildDataset } from './data.js';
import { FaultQueue } from './faults.js';
import { HTML_404, HTML_500, html, json, route, type Answer } from './routes.js';
import { FakeStore, type FakeData, type MutableOptions } from './store.js';
import type { FakeAuthentikOptions, FaultSpec, RecordedRequest } from './types.js';

/** A running fake authentik server. */
export interface FakeAuthentik {
  /** Origin, e.g. `http://127.0.0.1:43210` (no trailing slash); the API is at `${url}/api/v3/...`. */
  readonly url: string;
  /**
   * API bearer tokens: `admin` (superuser `akadmin`), `extraAdmin` (more tokens of `akadmin`, see
   * `extraAdminTokens`), `users` by username, `expired` (always 403).
   */
  readonly tokens: {
    admin: string;
    extraAdmin: readonly string[];
    users: Record<string, string>;
    expired: string;
  };
  /** The in-memory rows, rendered for the options in force. */
  readonly data: FakeData;
  /** Every request received, in arrival order (including health checks). */
  readonly requests: RecordedRequest[];
  /**
   * Most requests of `method` (e.g. `DELETE`) the fake was answering at once since the last
   * `resetRequests()`: with a `slowHeaders` fault on DELETEs this shows a client's concurrency.
   */
  maxInFlight(method: string): number;
  /** Empties `requests` (in place) and restarts the `maxInFlight` measurement. */
  resetRequests(): void;
  /** Number of recorded requests whose path starts with `pathPrefix` (default `/api/v3`). */
  countRequests(pathPrefix?: string): number;
  /** Changes options at run time (a key given as `undefined` restores the shape default). */
  setOptions(patch: MutableOptions): void;
  /** Queues a fault (FIFO; the first matching one applies). */
  fault(spec: FaultSpec): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** `/-/health/ready/` answers 503 while false. */
  setReady(ready: boolean): void;
  /** Closes the server and every socket (including hung ones). */
  close(): Promise<void>;
}

const sleep = (ms: number, timers: Set<NodeJS.Timeout>): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const headers: Record<string, string | number> = { ...answer.headers };
  if (answer.status !== 204 && answer.status !== 304)
    headers['content-length'] = Buffer.byteLength(answer.body);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

function faultAnswer(spec: FaultSpec, normal: () => Answer): Answer | undefined {
  switch (spec.mode) {
    case 'html500':
      return html(500, HTML_500);
    case 'html404':
      return html(404, HTML_404);
    case 'status': {
      const status = spec.status ?? 500;
      const body = spec.body ?? JSON.stringify({ detail: STATUS_CODES[status] ?? 'Error' });
      let isJson = true;
      try {
        JSON.parse(body);
      } catch {
        isJson = false;
      }
      return isJson ? json(status, body) : html(status, body);
    }
    case 'shortPage': {
      const answer = normal();
      const body = JSON.parse(answer.body.toString()) as { results?: unknown[] };
      if (!Array.isArray(body.results)) return answer;
      body.results.pop();
      return json(answer.status, JSON.stringify(body));
    }
    case 'malformedJson': {
      const body = normal().body.toString();
      return json(200, body.length > 2 ? body.slice(0, Math.ceil(body.length / 2)) : '{"detail":');
    }
    default:
      return undefined;
  }
}

/** Starts a fake authentik server on loopback (see {@link FakeAuthentikOptions} for defaults). */
export async function startFakeAuthentik(
  options: FakeAuthentikOptions = {},
): Promise<FakeAuthentik> {
  const dataset = buildDataset(
    options.seed ?? 1,
    options.tokenCount ?? 300,
    options.accessTokenCount,
    options.authorizationCodeCount,
  );
  const store = new FakeStore(dataset, options);
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let ready = true;
  let closing = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = req.method ?? 'GET';
    const authorization = req.headers.authorization;
    requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      authorization,
      headers: { ...req.headers },
    });
    req.resume();
    store.started(method);
    res.once('close', () => store.finished(method));
    const fault = faults.take(url.pathname);
    if (store.latencyMs > 0) await sleep(store.latencyMs, timers);
    if (closing || res.destroyed) return;
    const normal = (): Answer =>
      route(store, { method, path: url.pathname, query: url.searchParams, authorization, ready });
    if (!fault) return send(res, normal());
    switch (fault.mode) {
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'hang':
        return;
      case 'slowHeaders':
        await sleep(fault.delayMs ?? 1000, timers);
        if (!closing && !res.destroyed) send(res, normal());
        return;
      case 'stallBody': {
        const answer = normal();
        const raw = answer.body.length > 1 ? answer.body : '{"detail":"stalled"}';
        const body = typeof raw === 'string' ? Buffer.from(raw) : raw;
        res.writeHead(200, {
          ...answer.headers,
          'content-type': 'application/json',
          'content-length': body.length,
        });
        res.write(body.subarray(0, Math.floor(body.length / 2)));
        return;
      }
      default: {
        const answer = faultAnswer(fault, normal);
        if (answer) send(res, answer);
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, html(500, HTML_500));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected server address');
  const hostPart = address.address.includes(':') ? `[${address.address}]` : address.address;

  const users: Record<string, string> = {};
  for (const u of store.records.users) if (u.apiToken) users[u.username] = u.apiToken;

  return {
    url: `http://${hostPart}:${address.port}`,
    tokens: {
      admin: ADMIN_TOKEN,
      extraAdmin: store.extraAdminTokens,
      users,
      expired: EXPIRED_TOKEN,
    },
    data: store,
    requests,
    maxInFlight: (method) => store.maxInFlight(method),
    resetRequests: () => {
      requests.length = 0;
      store.resetInFlightPeaks();
    },
    countRequests: (pathPrefix = '/api/v3') =>
      requests.filter((r) => r.path.startsWith(pathPrefix)).length,
    setOptions: (patch) => store.setOptions(patch),
    fault: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    setReady: (value) => {
      ready = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closing) return resolve();
        closing = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}
