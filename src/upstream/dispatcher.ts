import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, Pool } from 'undici';
import type { Dispatcher } from 'undici';

/** How the gateway connects to authentik, besides the per-call deadline. */
export interface UpstreamConnectionOptions {
  /** Connect, headers and body timeout of one exchange, in ms. */
  timeoutMs: number;
  /** Keep-alive sockets to authentik (UPSTREAM_CONNECTIONS). */
  connections: number;
  /** PEM certificates trusted for authentik's TLS, on top of Node's own roots (AUTHENTIK_CA_FILE). */
  ca: string | undefined;
  /**
   * Proxies for the authentik connection (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` as read by
   * config.ts): the process environment is not consulted here.
   */
  proxy: { httpProxy?: string; httpsProxy?: string; noProxy?: string };
}

/**
 * The dispatcher for authentik's origin: one keep-alive Pool, or, when a proxy is configured,
 * undici's EnvHttpProxyAgent (which tunnels through the proxy unless `NO_PROXY` matches the origin).
 * Calls made with it must name the origin (`origin` in `request()` options).
 */
export function createUpstreamDispatcher(
  origin: string,
  options: UpstreamConnectionOptions,
): Dispatcher {
  // `ca` replaces Node's trusted roots: keep them, so a public authentik still verifies.
  const tls = options.ca ? { ca: [...rootCertificates, options.ca] } : undefined;
  const poolOptions = {
    connections: options.connections,
    keepAliveTimeout: 30_000,
    connectTimeout: options.timeoutMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    ...(tls ? { connect: tls } : {}),
  };
  const { httpProxy, httpsProxy, noProxy } = options.proxy;
  if (!httpProxy && !httpsProxy) return new Pool(origin, poolOptions);
  return new EnvHttpProxyAgent({
    ...poolOptions,
    // Empty strings, not undefined: undefined would make undici read the process environment.
    httpProxy: httpProxy ?? '',
    httpsProxy: httpsProxy ?? '',
    noProxy: noProxy ?? '',
    // Through a proxy, the TLS session to authentik runs inside the CONNECT tunnel.
    ...(tls ? { requestTls: tls } : {}),
  });
}
