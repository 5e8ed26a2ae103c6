import type { ExecutionResult } from 'graphql';
import { createApp } from '../../src/app.js';
import type { App, AppOptions } from '../../src/app.js';
import type { GatewayConfig } from '../../src/config.js';
import { loadConfig } from '../../src/config.js';
import type { FakeAuthentik, FakeAuthentikOptions } from '../../src/fake-authentik/index.js';
import { ADMIN_TOKEN, startFakeAuthentik } from '../../src/fake-authentik/index.js';
import type { GatewayYoga } from '../../src/graphql/yoga.js';
import type { AuthentikClient } from '../../src/upstream/authentik.js';

/**
 * The configuration a test gateway runs with: the defaults of an empty environment, over
 * `authentikUrl`, silent, with `overrides` (e.g. `breakerFailureThreshold: 0`).
 */
export function testConfig(
  authentikUrl: string,
  overrides: Partial<GatewayConfig> = {},
): GatewayConfig {
  const defaults = loadConfig({ AUTHENTIK_URL: authentikUrl, LOG_LEVEL: 'silent' });
  return {
    ...defaults,
    ...overrides,
    operationLimits: { ...defaults.operationLimits, ...overrides.operationLimits },
  };
}

/** Builds a gateway with `createApp` (as main.ts does) and listens on a free loopback port. */
export async function startApp(
  config: GatewayConfig,
  options?: AppOptions,
): Promise<{ app: App; origin: string }> {
  const app = await createApp(config, options);
  const { port } = await app.server.listen(0, '127.0.0.1');
  return { app, origin: `http://127.0.0.1:${port}` };
}

export interface TestGateway {
  fake: FakeAuthentik;
  client: AuthentikClient;
  yoga: GatewayYoga;
  /**
   * POSTs a GraphQL operation over loopback to the gateway's HTTP server, as clients do.
   * `yoga.fetch` reaches the same yoga in-process.
   */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<ExecutionResult<T> & { status: number }>;
  /** Upstream API requests the fake received since the last reset (health checks excluded). */
  upstreamCalls(): { path: string; query: URLSearchParams; authorization: string | undefined }[];
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  fake?: FakeAuthentikOptions;
  timeoutMs?: number;
  limits?: Partial<Pick<GatewayConfig, 'maxPageSize' | 'searchScanLimit'>>;
  /** PAGE_SIZE_REPROBE_MS. Default 600000. */
  pageSizeReprobeMs?: number;
}

export interface GqlOptions {
  /** Bearer token sent as `Authorization` (default the demo admin's); null sends none. */
  token?: string | null;
  headers?: Record<string, string>;
}

/** Builds the request a client would send for `query`. */
export function gqlRequest(
  query: string,
  variables: Record<string, unknown> | undefined,
  { token = ADMIN_TOKEN, headers = {} }: GqlOptions = {},
): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  };
}

/** Starts a fake authentik on loopback and a gateway over it (real undici pool, real sockets). */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const fake = await startFakeAuthentik(options.fake);
  const { app, origin } = await startApp(
    testConfig(fake.url, {
      upstreamTimeoutMs: options.timeoutMs ?? 5_000,
      upstreamRetries: 0,
      breakerFailureThreshold: 0,
      ...options.limits,
      ...(options.pageSizeReprobeMs === undefined
        ? {}
        : { pageSizeReprobeMs: options.pageSizeReprobeMs }),
    }),
  );
  const url = `${origin}/graphql`;
  return {
    fake,
    client: app.authentik,
    yoga: app.yoga,
    async gql(query, variables, options) {
      const response = await fetch(url, gqlRequest(query, variables, options));
      return { status: response.status, ...((await response.json()) as ExecutionResult<never>) };
    },
    upstreamCalls() {
      return fake.requests
        .filter((request) => request.path.startsWith('/api/v3/'))
        .map(({ path, query, authorization }) => ({ path, query, authorization }));
    },
    async close() {
      await app.close(1000);
      await fake.close();
    },
  };
}

type ErrorLike = { extensions?: Record<string, unknown> | null };

/** The `extensions.code` of each error, in order: of a result, or of its `errors` list. */
export function codesOf(
  from: { errors?: readonly ErrorLike[] } | readonly ErrorLike[] | undefined,
): unknown[] {
  const errors = Array.isArray(from) ? from : (from as { errors?: readonly ErrorLike[] })?.errors;
  return ((errors ?? []) as readonly ErrorLike[]).map((error) => error.extensions?.code);
}
