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
  /** Log level: fatal, error, warn, info, debug, trace or silent. Default info. */
  logLevel: LogLevel;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A configuration value that failed validation; its message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

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

function authentikUrl(env: Env): string | undefined {
  const raw = env.AUTHENTIK_URL?.trim();
  if (!raw) return undefined;
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
    logLevel,
  };
}
