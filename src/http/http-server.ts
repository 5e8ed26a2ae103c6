import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Logger } from '../observability/logger.js';
import { badRequestReason } from './request-target.js';
import { GATEWAY_PATHS } from '../paths.js';
import { requestLinePath } from '../observability/request-log.js';

/** What the server wrapper needs besides the yoga instance. */
export interface HttpServerDeps {
  /** Whether authentik is ready (cached: see readiness.ts). */
  isReady: () => Promise<boolean>;
  /** Counts requests in flight when given. */
  metrics?: GatewayMetrics;
  /** Where a request refused before yoga (a bad Host or request target) is logged. Default none. */
  logger?: Logger;
  /**
   * A request whose headers and body have not all arrived by then is answered 408 and its
   * connection closed (checked every second), in ms (REQUEST_TIMEOUT_MS).
   */
  requestTimeoutMs: number;
  /**
   * An answer the client has not read any of for this long (once it is being written) is cut and
   * its connection closed, in ms (SEND_TIMEOUT_MS).
   */
  sendTimeoutMs: number;
}

/** How often Node checks connections against the request and headers timeouts, in ms. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;
/** Longest a client may take to send its headers (slowloris), in ms. */
const HEADERS_TIMEOUT_MS = 20_000;

/** A node:http server in front of yoga, with health routes and a graceful close. */
export interface GatewayHttpServer {
  readonly server: Server;
  /** Requests being served now. */
  readonly inFlight: number;
  /** True once close() was called: /readyz answers 503 and connections are not kept alive. */
  readonly draining: boolean;
  /** Listens; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Stops accepting connections, lets requests in flight finish, then closes every socket.
   * Resolves true when everything finished within `graceMs`, false when sockets were cut.
   */
  close(graceMs: number): Promise<boolean>;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * A client that stops reading its answer must not hold the answer's memory and its socket for
 * ever. Node's socket timeout counts write progress as activity (it fires only when not a byte
 * more was taken by the client), so once the answer is being written, `ms` without progress
 * closes the connection and frees what was waiting to be sent. Before that the socket may idle
 * while the gateway works (its upstream deadlines bound that); after the answer is sent, Node's
 * keep-alive timeout takes over the socket.
 */
function limitSendTime(res: ServerResponse, ms: number): void {
  res.setTimeout(ms, () => {
    if (res.headersSent) res.destroy();
    else res.setTimeout(ms);
  });
}

/**
 * Serves GET /healthz (the process is alive: always 200) and GET /readyz (200 when authentik's
 * readiness probe passes and the gateway is not shutting down, else 503) itself, and everything
 * else (GraphQL, GraphiQL, /metrics) through yoga. Never listens by itself.
 */
export function createHttpServer(yoga: RequestListener, deps: HttpServerDeps): GatewayHttpServer {
  let inFlight = 0;
  let draining = false;
  const requestTimeout = deps.requestTimeoutMs;
  // A client trickling its headers or body must not hold a socket for long (slowloris): Node
  // answers 408 and closes the connection; keep-alive is longer than the usual load balancers'
  // idle timeout, so they never reuse a socket we just closed.
  const options = {
    requestTimeout,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    keepAliveTimeout: 65_000,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  const server = createServer(options, (req, res) => {
    limitSendTime(res, deps.sendTimeoutMs);
    const path = (req.url ?? '/').split('?', 1)[0];
    if (draining) res.setHeader('connection', 'close');
    if (path === GATEWAY_PATHS.health && (req.method === 'GET' || req.method === 'HEAD')) {
      return json(res, 200, { status: 'ok' });
    }
    if (path === GATEWAY_PATHS.ready && (req.method === 'GET' || req.method === 'HEAD')) {
      if (draining) return json(res, 503, { status: 'not ready', reason: 'shutting down' });
      void deps
        .isReady()
        .then((ready) =>
          ready
            ? json(res, 200, { status: 'ready' })
            : json(res, 503, { status: 'not ready', reason: 'authentik is not ready' }),
        );
      return;
    }
    // The Fetch layer builds the request's URL from Host and the request target: one it cannot
    // parse, or one that would make the URL's path differ from the request line's, is refused here.
    const reason = badRequestReason(req);
    if (reason) {
      deps.logger?.info(
        { method: req.method, path: requestLinePath(req), status: 400, reason },
        'bad request',
      );
      res.setHeader('connection', 'close');
      return json(res, 400, { errors: [{ message: reason, extensions: { code: 'BAD_REQUEST' } }] });
    }
    inFlight++;
    deps.metrics?.inFlight.inc();
    const started = performance.now();
    res.once('close', () => {
      inFlight--;
      deps.metrics?.inFlight.dec();
      deps.metrics?.httpDuration
        .labels(req.method ?? 'GET', String(res.statusCode))
        .observe((performance.now() - started) / 1000);
      // A keep-alive socket whose last response ended while draining would idle until the grace
      // period: let it go now.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    yoga(req, res);
  });

  return {
    server,
    get inFlight() {
      return inFlight;
    },
    get draining() {
      return draining;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close(graceMs) {
      draining = true;
      return new Promise((resolve) => {
        const grace = setTimeout(() => {
          server.closeAllConnections();
          resolve(false);
        }, graceMs);
        server.close(() => {
          clearTimeout(grace);
          resolve(true);
        });
        server.closeIdleConnections();
      });
    },
  };
}
