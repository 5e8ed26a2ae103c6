import type { ExecutionResult } from 'graphql';
import type { FakeAuthentikOptions } from '../../src/fake-authentik/index.js';
import type { FakeAuthentik } from '../../src/fake-authentik/index.js';
import { startFakeAuthentik } from '../../src/fake-authentik/index.js';
import type { GatewayYoga } from '../../src/graphql/yoga.js';
import type { GqlOptions } from './gateway.js';
import { gqlRequest, startApp, testConfig } from './gateway.js';
import type { GatewayMetrics } from '../../src/observability/metrics.js';
import type { OperationLimits } from '../../src/limits/operation-limits.js';
import type { GatewayHttpServer } from '../../src/http/http-server.js';
import type { UpstreamHttp } from '../../src/upstream/http.js';
import type { BreakerOptions } from '../../src/upstream/resilience.js';

export interface HardenedGatewayOptions {
  fake?: FakeAuthentikOptions;
  /** Upstream deadline per call. Default 2000. */
  timeoutMs?: number;
  /** Default 2 (production default). */
  retries?: number;
  /** Default none (the fault tests would trip it); pass one to test it. */
  breaker?: BreakerOptions;
  maxResponseBytes?: number;
  operationLimits?: Partial<OperationLimits>;
  introspection?: boolean;
  graphiql?: boolean;
  readyCacheMs?: number;
  /** SEARCH_SCAN_LIMIT. Default 10000. */
  searchScanLimit?: number;
  /** REQUEST_TIMEOUT_MS of the listening server. Default 30000. */
  requestTimeoutMs?: number;
  /** Receives each log line instead of `logs` keeping it (for long runs). */
  logSink?: (line: string) => void;
  /** MAX_REVOKE. Default 1000. */
  maxRevoke?: number;
}

export type GqlResult<T = Record<string, unknown>> = ExecutionResult<T> & {
  status: number;
  headers: Headers;
};

/** A gateway wired like main.ts (logger, metrics, retries) over a fake authentik on loopback. */
export interface HardenedGateway {
  fake: FakeAuthentik;
  http: UpstreamHttp;
  yoga: GatewayYoga;
  metrics: GatewayMetrics;
  /** Every log line written so far (raw JSON text). */
  logs: string[];
  /** The listening server and its base URL (`http://127.0.0.1:port`). */
  server: GatewayHttpServer;
  url: string;
  /** POSTs an operation through yoga in-process. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: GqlOptions,
  ): Promise<GqlResult<T>>;
  /** Upstream API requests the fake received (health checks excluded). */
  apiCalls(): number;
  close(): Promise<void>;
}

/** Starts a fake authentik and a gateway over it the way main.ts wires one (createApp). */
export async function startHardenedGateway(
  options: HardenedGatewayOptions = {},
): Promise<HardenedGateway> {
  const fake = await startFakeAuthentik(options.fake);
  const logs: string[] = [];
  const write = options.logSink ?? ((line: string) => void logs.push(line));
  const config = testConfig(fake.url, {
    logLevel: 'debug',
    upstreamTimeoutMs: options.timeoutMs ?? 2000,
    upstreamRetries: options.retries ?? 2,
    breakerFailureThreshold: options.breaker?.failureThreshold ?? 0,
    breakerResetMs: options.breaker?.resetMs ?? 10_000,
    upstreamMaxResponseBytes: options.maxResponseBytes ?? 32 * 1024 * 1024,
    graphiql: options.graphiql !== false,
    introspection: options.introspection ?? true,
    operationLimits: options.operationLimits as OperationLimits | undefined,
    readyCacheMs: options.readyCacheMs ?? 2000,
    searchScanLimit: options.searchScanLimit ?? 10_000,
    maxRevoke: options.maxRevoke ?? 1000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
  });
  const { app, origin } = await startApp(config, {
    logDestination: { write },
    processMetrics: false,
  });
  return {
    fake,
    http: app.http,
    yoga: app.yoga,
    metrics: app.metrics!,
    logs,
    server: app.server,
    url: origin,
    async gql(query, variables, gqlOptions) {
      const response = await app.yoga.fetch(
        'http://gateway.test/graphql',
        gqlRequest(query, variables, gqlOptions),
      );
      const body = (await response.json()) as ExecutionResult<never>;
      return { status: response.status, headers: response.headers, ...body };
    },
    apiCalls: () => fake.countRequests('/api/v3/'),
    async close() {
      await app.close(1000);
      await fake.close();
    },
  };
}

/** Every credential the fake knows, for "never in a log line" checks. */
export function secretsOf(fake: FakeAuthentik): string[] {
  return [fake.tokens.admin, fake.tokens.expired, ...Object.values(fake.tokens.users)];
}

/** Log lines that mention a credential or an Authorization value. */
export function leakingLines(logs: string[], secrets: string[]): string[] {
  return logs.filter(
    (line) =>
      /authorization"\s*:\s*"(?!\[redacted\])/i.test(line) ||
      /Bearer\s+(?!\[redacted\])\S/i.test(line) ||
      secrets.some((secret) => line.includes(secret)),
  );
}

/** The routes the gateway may call on authentik, with positive integer ids only. */
export const KNOWN_UPSTREAM_ROUTES = [
  /^\/api\/v3\/oauth2\/refresh_tokens\/$/,
  /^\/api\/v3\/oauth2\/refresh_tokens\/[1-9]\d*\/$/,
  /^\/api\/v3\/core\/users\/$/,
  /^\/api\/v3\/core\/users\/[1-9]\d*\/$/,
  /^\/api\/v3\/providers\/oauth2\/[1-9]\d*\/$/,
  /^\/-\/health\/ready\/$/,
];

/** Paths of recorded upstream requests outside {@link KNOWN_UPSTREAM_ROUTES}. */
export function unknownRoutes(requests: readonly { path: string }[]): string[] {
  return requests
    .map((request) => request.path)
    .filter((path) => !KNOWN_UPSTREAM_ROUTES.some((route) => route.test(path)));
}
