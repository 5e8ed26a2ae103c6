import { readFileSync } from 'node:fs';
import type { OperationLimits } from './limits/operation-limits.js';

/** Runtime configuration, read once from the environment and validated at start-up. */
export interface GatewayConfig {
  /** Base URL of authentik (may include a path prefix). Undefined means demo mode. */
  authentikUrl: string | undefined;
  /** Port to listen on. Default 4000. */
  port: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host: string;
  /** Upper bound for one upstream call, connect to last body byte, in ms. Default 10000. */
  upstreamTimeoutMs: number;
  /** Largest `first`/`last` a client may ask for. Default 100. */
  maxPageSize: number;
  /** Most upstream rows one search/filter scan may read. Default 10000. */
  searchScanLimit: number;
  /** Most grants one revokeOAuth2Grants may match before it is refused (MAX_REVOKE). Default 1000. */
  maxRevoke: number;
  /** Most characters in a `search` argument (MAX_SEARCH_LENGTH). Default 256. */
  maxSearchLength: number;
  /** Most words and quoted phrases in a `search` argument (MAX_SEARCH_TERMS). Default 10. */
  maxSearchTerms: number;
  /** Log level: fatal, error, warn, info, debug, trace or silent. Default info. */
  logLevel: LogLevel;
  /** GraphiQL on GET /graphql in a browser (GRAPHIQL). Default true, false when NODE_ENV=production. */
  graphiql: boolean;
  /** Schema introspection (INTROSPECTION). Default true. */
  introspection: boolean;
  /** Prometheus metrics at GET /metrics (METRICS). Default true. */
  metrics: boolean;
  /** Depth, alias, token, directive, cost, body and batch limits (MAX_*). */
  operationLimits: OperationLimits;
  /** Retries of an idempotent upstream GET (UPSTREAM_RETRIES). Default 2. */
  upstreamRetries: number;
  /** Largest answer read from authentik, in bytes (UPSTREAM_MAX_RESPONSE_BYTES). Default 32 MiB. */
  upstreamMaxResponseBytes: number;
  /** Consecutive upstream failures that open the circuit; 0 turns the breaker off (BREAKER_FAILURE_THRESHOLD). Default 5. */
  breakerFailureThreshold: number;
  /** How long the circuit stays open before a probe, in ms (BREAKER_RESET_MS). Default 10000. */
  breakerResetMs: number;
  /** How long requests in flight may finish after SIGTERM/SIGINT, in ms (SHUTDOWN_GRACE_MS). Default 15000. */
  shutdownGraceMs: number;
  /** How long a /readyz probe of authentik is reused, in ms (READY_CACHE_MS). Default 2000. */
  readyCacheMs: number;
  /** How long one /readyz probe of authentik may take before it counts as not ready, in ms (READY_TIMEOUT_MS). Default 2000. */
  readyTimeoutMs: number;
  /** Origins allowed cross-origin (CORS_ORIGINS: a comma-separated list or `*`). Default none. */
  corsOrigins: string[] | '*' | undefined;
  /** Extra trusted CA certificates (PEM) for authentik's TLS (AUTHENTIK_CA_FILE). Default none. */
  authentikCa: string | undefined;
  /** Proxies for the authentik connection (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; either case). */
  proxy: UpstreamProxyConfig;
  /** Keep-alive connections to authentik (UPSTREAM_CONNECTIONS). Default 64. */
  upstreamConnections: number;
  /** Wait between SIGTERM/SIGINT and closing the listener, in ms (SHUTDOWN_DELAY_MS). Default 0. */
  shutdownDelayMs: number;
  /** OpenTelemetry tracing: on when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_*). */
  tracing: boolean;
  /**
   * A request whose headers and body have not all arrived by then is cut with 408, in ms
   * (REQUEST_TIMEOUT_MS). Default 30000.
   */
  requestTimeoutMs: number;
  /**
   * A response the client has not read any of for this long is cut and its connection closed, in
   * ms (SEND_TIMEOUT_MS). Default 30000.
   */
  sendTimeoutMs: number;
  /**
   * Memory yoga's caches of parsed documents and parse errors may hold together, estimated from
   * each document's length and tokens, in bytes (DOCUMENT_CACHE_BYTES). Default 32 MiB.
   */
  documentCacheBytes: number;
  /**
   * How long a page size learned from a tenant that clamps page sizes is trusted before the
   * largest size is tried again, in ms (PAGE_SIZE_REPROBE_MS). Default 600000 (10 minutes).
   */
  pageSizeReprobeMs: number;
  /**
   * Manifest of trusted documents (TRUSTED_DOCUMENTS): when set, only the listed documents run.
   * Loaded and validated at start, re-read on SIGHUP. Default unset (every document runs).
   */
  trustedDocuments: string | undefined;
  /** With TRUSTED_DOCUMENTS, free-form documents run too: the rollout mode (ALLOW_ARBITRARY_DOCUMENTS). Default false. */
  allowArbitraryDocuments: boolean;
}

/** Proxy settings for the authentik connection, as curl and most tools read them. */
export interface UpstreamProxyConfig {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string | undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A configuration value that failed validation; its message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/**
 * True when NODE_ENV says production, in any case (`production`, `Production`, `PRODUCTION`):
 * the one reading of NODE_ENV for every decision that depends on it.
 */
export function isProduction(env: Env): boolean {
  return env.NODE_ENV?.trim().toLowerCase() === 'production';
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function authentikUrl(env: Env): string | undefined {
  const raw = env.AUTHENTIK_URL?.trim();
  if (!raw) {
    // Demo mode (a fake authentik, a well-known admin token) only where nobody runs production.
    if (isProduction(env) && !boolean(env, 'DEMO', false)) {
      throw new ConfigError(
        'AUTHENTIK_URL must be set when NODE_ENV=production (set DEMO=true to run the built-in demo authentik anyway)',
      );
    }
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `AUTHENTIK_URL must be an http(s) URL such as https://authentik.example.com, got "${raw}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`AUTHENTIK_URL must use http or https, got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new ConfigError(
      'AUTHENTIK_URL must not contain credentials; callers send their own Authorization header',
    );
  }
  if (url.search || url.hash) {
    throw new ConfigError('AUTHENTIK_URL must not contain a query string or fragment');
  }
  return raw.replace(/\/+$/, '');
}

// A comma-separated list of origins (scheme://host[:port]) or `*`; unset means same-origin only.
function corsOrigins(env: Env): string[] | '*' | undefined {
  const raw = env.CORS_ORIGINS?.trim();
  if (!raw) return undefined;
  if (raw === '*') return '*';
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin) {
      throw new ConfigError(
        `CORS_ORIGINS must be * or a comma-separated list of origins such as https://app.example.com, got "${origin}"`,
      );
    }
    return origin;
  });
}

function certificateFile(env: Env, name: string): string | undefined {
  const path = env[name]?.trim();
  if (!path) return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${name} must name a readable PEM file, got "${path}" (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`${name} must be a PEM file of certificates, got "${path}"`);
  }
  return pem;
}

// Lowercase first, as curl does; an empty value means unset.
const envEither = (env: Env, name: string) =>
  (env[name.toLowerCase()] ?? env[name])?.trim() || undefined;

// The SDK's own rules: traces are exported when an OTLP endpoint is set, unless turned off.
function tracingConfigured(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim(),
  );
}

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`,
    );
  }
  const host = env.HOST?.trim() || '127.0.0.1';
  return {
    authentikUrl: authentikUrl(env),
    port: integer(env, 'PORT', 4000, 0, 65535),
    host,
    upstreamTimeoutMs: integer(env, 'UPSTREAM_TIMEOUT_MS', 10_000, 1, 600_000),
    maxPageSize: integer(env, 'MAX_PAGE_SIZE', 100, 1, 1000),
    searchScanLimit: integer(env, 'SEARCH_SCAN_LIMIT', 10_000, 1, 10_000_000),
    maxRevoke: integer(env, 'MAX_REVOKE', 1000, 1, 100_000),
    maxSearchLength: integer(env, 'MAX_SEARCH_LENGTH', 256, 1, 10_000),
    maxSearchTerms: integer(env, 'MAX_SEARCH_TERMS', 10, 1, 1000),
    logLevel,
    // A public gateway serves no IDE unless asked to.
    graphiql: boolean(env, 'GRAPHIQL', !isProduction(env)),
    introspection: boolean(env, 'INTROSPECTION', true),
    metrics: boolean(env, 'METRICS', true),
    operationLimits: {
      maxDepth: integer(env, 'MAX_DEPTH', 10, 1, 100),
      maxAliases: integer(env, 'MAX_ALIASES', 15, 0, 1000),
      maxTokens: integer(env, 'MAX_TOKENS', 2000, 10, 100_000),
      maxDirectives: integer(env, 'MAX_DIRECTIVES', 20, 0, 1000),
      maxCost: integer(env, 'MAX_COST', 150, 1, 100_000),
      maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 100_000, 1000, 100_000_000),
      maxBatchSize: integer(env, 'MAX_BATCH_SIZE', 0, 0, 100),
      maxJsonDepth: integer(env, 'MAX_JSON_DEPTH', 32, 2, 1000),
    },
    upstreamRetries: integer(env, 'UPSTREAM_RETRIES', 2, 0, 5),
    upstreamMaxResponseBytes: integer(
      env,
      'UPSTREAM_MAX_RESPONSE_BYTES',
      32 * 1024 * 1024,
      1024,
      1024 * 1024 * 1024,
    ),
    breakerFailureThreshold: integer(env, 'BREAKER_FAILURE_THRESHOLD', 5, 0, 10_000),
    breakerResetMs: integer(env, 'BREAKER_RESET_MS', 10_000, 100, 600_000),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 15_000, 0, 600_000),
    readyCacheMs: integer(env, 'READY_CACHE_MS', 2000, 0, 600_000),
    readyTimeoutMs: integer(env, 'READY_TIMEOUT_MS', 2000, 100, 600_000),
    corsOrigins: corsOrigins(env),
    authentikCa: certificateFile(env, 'AUTHENTIK_CA_FILE'),
    proxy: {
      httpProxy: envEither(env, 'HTTP_PROXY'),
      httpsProxy: envEither(env, 'HTTPS_PROXY'),
      noProxy: envEither(env, 'NO_PROXY'),
    },
    upstreamConnections: integer(env, 'UPSTREAM_CONNECTIONS', 64, 1, 4096),
    shutdownDelayMs: integer(env, 'SHUTDOWN_DELAY_MS', 0, 0, 600_000),
    tracing: tracingConfigured(env),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
    sendTimeoutMs: integer(env, 'SEND_TIMEOUT_MS', 30_000, 100, 600_000),
    documentCacheBytes: integer(
      env,
      'DOCUMENT_CACHE_BYTES',
      32 * 1024 * 1024,
      0,
      4 * 1024 * 1024 * 1024,
    ),
    pageSizeReprobeMs: integer(env, 'PAGE_SIZE_REPROBE_MS', 600_000, 1000, 86_400_000),
    trustedDocuments: env.TRUSTED_DOCUMENTS?.trim() || undefined,
    allowArbitraryDocuments: boolean(env, 'ALLOW_ARBITRARY_DOCUMENTS', false),
  };
}
