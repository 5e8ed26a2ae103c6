import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config.js';
import { ConfigError, isProduction, loadConfig } from '../../src/config.js';
import { FAKE_CA_FILE } from '../upstream/network.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('loadConfig', () => {
  it('has the documented defaults (demo mode without AUTHENTIK_URL)', () => {
    const config = loadConfig({});
    expect(config.authentikUrl).toBeUndefined();
    // Exactly these operation limits: config.ts owns every default (no other module has one).
    expect(Object.keys(config.operationLimits).length).toBe(8);
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      upstreamTimeoutMs: 10_000,
      maxPageSize: 100,
      searchScanLimit: 10_000,
      logLevel: 'info',
      graphiql: true,
      introspection: true,
      metrics: true,
      operationLimits: {
        maxDepth: 10,
        maxAliases: 15,
        maxTokens: 2000,
        maxDirectives: 20,
        maxCost: 150,
        maxBodyBytes: 100_000,
        maxBatchSize: 0,
        maxJsonDepth: 32,
      },
      upstreamRetries: 2,
      upstreamMaxResponseBytes: 32 * 1024 * 1024,
      breakerFailureThreshold: 5,
      breakerResetMs: 10_000,
      shutdownGraceMs: 15_000,
      readyCacheMs: 2000,
      readyTimeoutMs: 2000,
      maxSearchLength: 256,
      maxSearchTerms: 10,
      requestTimeoutMs: 30_000,
      sendTimeoutMs: 30_000,
      documentCacheBytes: 32 * 1024 * 1024,
      pageSizeReprobeMs: 600_000,
      // Deployment: no CORS, no extra CA, no proxy, 64 connections, no shutdown delay, no tracing.
      corsOrigins: undefined,
      authentikCa: undefined,
      proxy: { httpProxy: undefined, httpsProxy: undefined, noProxy: undefined },
      upstreamConnections: 64,
      shutdownDelayMs: 0,
      tracing: false,
    } satisfies Partial<GatewayConfig>);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      AUTHENTIK_URL: 'https://auth.example.com/prefix/',
      PORT: '8080',
      HOST: '0.0.0.0',
      UPSTREAM_TIMEOUT_MS: '2500',
      MAX_PAGE_SIZE: '50',
      SEARCH_SCAN_LIMIT: '500',
      LOG_LEVEL: 'debug',
      GRAPHIQL: 'false',
      INTROSPECTION: 'off',
      METRICS: '0',
      MAX_DEPTH: '8',
      MAX_ALIASES: '5',
      MAX_TOKENS: '1000',
      MAX_DIRECTIVES: '4',
      MAX_COST: '40',
      MAX_BODY_BYTES: '20000',
      MAX_BATCH_SIZE: '3',
      MAX_JSON_DEPTH: '8',
      UPSTREAM_RETRIES: '0',
      UPSTREAM_MAX_RESPONSE_BYTES: '1048576',
      BREAKER_FAILURE_THRESHOLD: '0',
      BREAKER_RESET_MS: '5000',
      SHUTDOWN_GRACE_MS: '30000',
      READY_CACHE_MS: '500',
      READY_TIMEOUT_MS: '750',
      MAX_SEARCH_LENGTH: '64',
      MAX_SEARCH_TERMS: '3',
      REQUEST_TIMEOUT_MS: '5000',
      SEND_TIMEOUT_MS: '5000',
      DOCUMENT_CACHE_BYTES: '0',
      PAGE_SIZE_REPROBE_MS: '60000',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      AUTHENTIK_CA_FILE: FAKE_CA_FILE,
      https_proxy: 'http://proxy.internal:3128',
      NO_PROXY: 'authentik,.svc.cluster.local',
      UPSTREAM_CONNECTIONS: '16',
      SHUTDOWN_DELAY_MS: '5000',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      upstreamTimeoutMs: 2500,
      maxPageSize: 50,
      searchScanLimit: 500,
      logLevel: 'debug',
      graphiql: false,
      introspection: false,
      metrics: false,
      operationLimits: {
        maxDepth: 8,
        maxAliases: 5,
        maxTokens: 1000,
        maxDirectives: 4,
        maxCost: 40,
        maxBodyBytes: 20_000,
        maxBatchSize: 3,
        maxJsonDepth: 8,
      },
      upstreamRetries: 0,
      upstreamMaxResponseBytes: 1_048_576,
      breakerFailureThreshold: 0,
      breakerResetMs: 5000,
      shutdownGraceMs: 30_000,
      readyCacheMs: 500,
      readyTimeoutMs: 750,
      maxSearchLength: 64,
      maxSearchTerms: 3,
      requestTimeoutMs: 5000,
      sendTimeoutMs: 5000,
      documentCacheBytes: 0,
      pageSizeReprobeMs: 60_000,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      proxy: {
        httpProxy: undefined,
        httpsProxy: 'http://proxy.internal:3128',
        noProxy: 'authentik,.svc.cluster.local',
      },
      upstreamConnections: 16,
      shutdownDelayMs: 5000,
    } satisfies Partial<GatewayConfig>);
    expect(config.authentikUrl).toMatch(/^https:\/\/auth\.example\.com\/prefix\/?$/);
    expect(config.authentikCa).toContain('-----BEGIN CERTIFICATE-----');
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['UPSTREAM_TIMEOUT_MS', 'ten'],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['MAX_PAGE_SIZE', '0'],
    ['MAX_PAGE_SIZE', 'lots'],
    ['SEARCH_SCAN_LIMIT', '1e4'],
    ['SEARCH_SCAN_LIMIT', '0'],
    ['LOG_LEVEL', 'loud'],
    ['AUTHENTIK_URL', 'not a url'],
    ['AUTHENTIK_URL', 'ftp://auth.example.com'],
    ['AUTHENTIK_URL', 'https://user:pass@auth.example.com'],
    ['AUTHENTIK_URL', 'https://auth.example.com/?tenant=1'],
    ['REQUEST_TIMEOUT_MS', 'soon'],
    ['REQUEST_TIMEOUT_MS', '0'],
    ['GRAPHIQL', 'maybe'],
    ['INTROSPECTION', 'nope'],
    ['METRICS', '2'],
    ['MAX_DEPTH', '0'],
    ['MAX_DEPTH', 'deep'],
    ['MAX_COST', '0'],
    ['MAX_TOKENS', '5'],
    ['MAX_BODY_BYTES', '10'],
    ['MAX_BATCH_SIZE', '1000'],
    ['UPSTREAM_RETRIES', '6'],
    ['UPSTREAM_MAX_RESPONSE_BYTES', '1'],
    ['BREAKER_RESET_MS', '5'],
    ['SHUTDOWN_GRACE_MS', '-1'],
    ['MAX_JSON_DEPTH', '1'],
    ['MAX_SEARCH_LENGTH', '0'],
    ['MAX_SEARCH_TERMS', 'many'],
    ['SEND_TIMEOUT_MS', '0'],
    ['READY_TIMEOUT_MS', '50'],
    ['DOCUMENT_CACHE_BYTES', '-1'],
    ['PAGE_SIZE_REPROBE_MS', '10'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['AUTHENTIK_CA_FILE', '/nonexistent/ca.pem'],
    ['AUTHENTIK_CA_FILE', new URL('../../package.json', import.meta.url).pathname],
    ['UPSTREAM_CONNECTIONS', '0'],
    ['SHUTDOWN_DELAY_MS', '-1'],
  ])('%s=%j is refused with a one-line message naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('\n');
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_SERVICE_NAME: 'tokens' }, false],
  ])('tracing with %j: %s', (env, on) => {
    expect(loadConfig(env).tracing).toBe(on);
  });
});

describe('demo mode and production', () => {
  // The demo serves its admin token to anyone: any spelling of production must refuse it.
  it.each(['production', 'Production', 'PRODUCTION', ' production '])(
    'refuses to start the demo when NODE_ENV=%j, naming AUTHENTIK_URL',
    (nodeEnv) => {
      expect(() => loadConfig({ NODE_ENV: nodeEnv })).toThrow(ConfigError);
      expect(() => loadConfig({ NODE_ENV: nodeEnv })).toThrow(/AUTHENTIK_URL/);
    },
  );

  it.each<[string, Record<string, string>, boolean]>([
    ['is on by default', {}, true],
    ['is on in development', { NODE_ENV: 'development' }, true],
    ['is off by default in production', { NODE_ENV: 'Production' }, false],
    ['is on in production when asked for', { NODE_ENV: 'PRODUCTION', GRAPHIQL: 'true' }, true],
    ['is off when turned off', { GRAPHIQL: 'false' }, false],
  ])('GraphiQL %s', (_label, env, on) => {
    expect(loadConfig({ AUTHENTIK_URL: 'https://a.example.com', ...env }).graphiql).toBe(on);
  });

  it.each(['production', 'Production'])('isProduction(%j)', (nodeEnv) => {
    expect(isProduction({ NODE_ENV: nodeEnv })).toBe(true);
  });

  it.each([undefined, 'development', 'prod', 'production-like'])(
    'not isProduction(%j)',
    (nodeEnv) => {
      expect(isProduction({ NODE_ENV: nodeEnv })).toBe(false);
    },
  );

  it.each<[string, Record<string, string>]>([
    ['without NODE_ENV', {}],
    ['in development', { NODE_ENV: 'development' }],
    ['in production when asked for with DEMO=true', { NODE_ENV: 'production', DEMO: 'true' }],
  ])('starts the demo %s', (_label, env) => {
    expect(loadConfig(env).authentikUrl).toBeUndefined();
  });

  it('needs nothing more in production with AUTHENTIK_URL', () => {
    const config = loadConfig({ NODE_ENV: 'production', AUTHENTIK_URL: 'https://a.example.com' });
    expect(config.authentikUrl).toBe('https://a.example.com');
  });
});

// Runs the real entry point (as `npm start` does, from source) and waits for it to exit.
function runMain(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`src/main.ts did not exit; stdout: ${stdout} stderr: ${stderr}`));
    }, 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('start-up with a bad value', () => {
  // One spawn per reason is enough: every variable goes through the same ConfigError path.
  it.each([
    ['PORT=abc', 'PORT', { PORT: 'abc' }],
    ['NODE_ENV=production without AUTHENTIK_URL', 'AUTHENTIK_URL', { NODE_ENV: 'production' }],
  ])('%s exits non-zero printing one line naming %s', async (_label, name, env) => {
    const { code, stdout, stderr } = await runMain(env);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(stdout).not.toMatch(/DEMO MODE|listening/i);
  });
});
