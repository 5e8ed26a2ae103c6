import type { FormattedExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../src/app.js';
import type { App, AppOptions } from '../../src/app.js';
import type { GatewayConfig } from '../../src/config.js';
import { loadConfig } from '../../src/config.js';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import type { FakeAuthentikOptions } from '../../src/fake-authentik/types.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';

/**
 * What every test gateway runs with unless its suite says otherwise: quiet, no retries and no
 * circuit breaker (a fault shows once, and one test's faults do not open the next one's
 * circuit), and a deadline far above any loopback answer.
 */
const TEST_BASE_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'silent',
  UPSTREAM_RETRIES: '0',
  BREAKER_FAILURE_THRESHOLD: '0',
  UPSTREAM_TIMEOUT_MS: '5000',
};

/**
 * The environment of a test gateway over `authentikUrl`: {@link TEST_BASE_ENV}, then `env`, in
 * the operator's variable names (`{ MAX_REVOKE: '5' }`). Give it to `loadConfig`.
 */
export function testEnv(
  authentikUrl: string,
  env: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...TEST_BASE_ENV, AUTHENTIK_URL: authentikUrl, ...env };
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

export interface TestGatewayOptions {
  /** How the fake authentik starts (data size, latency, page-size clamp, ...). */
  fake?: FakeAuthentikOptions;
  /** Settings over {@link TEST_BASE_ENV}, as an operator writes them (`{ MAX_COST: '5' }`). */
  env?: Readonly<Record<string, string>>;
  /** More envelop plugins, run after the gateway's own. */
  plugins?: Plugin[];
}

export interface GqlOptions {
  /** Bearer token sent as `Authorization` (default the demo admin's); null sends none. */
  token?: string | null;
  headers?: Record<string, string>;
}

/** What a client receives for one GraphQL request: the HTTP status and headers, and the body. */
export type GqlResult<T = Record<string, unknown>> = FormattedExecutionResult<T> & {
  status: number;
  headers: Headers;
};

/** A fake authentik on loopback and a gateway over it, built by `createApp` and listening. */
export interface TestGateway {
  fake: FakeAuthentik;
  /** The composition root's result: yoga, the HTTP server, the upstream client, metrics, ... */
  app: App;
  /** The listening server's base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Every log line written so far (raw JSON text); empty at LOG_LEVEL=silent. */
  logs: string[];
  /**
   * POSTs a GraphQL operation over loopback to `/graphql`, as clients do. `app.yoga.fetch`
   * reaches the same yoga in-process where a test needs that.
   */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: GqlOptions,
  ): Promise<GqlResult<T>>;
  /** Upstream API requests the fake received since its last reset (health checks excluded). */
  upstreamCalls(): { path: string; query: URLSearchParams; authorization: string | undefined }[];
  /** How many of them. */
  apiCalls(): number;
  close(): Promise<void>;
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

/**
 * Starts a fake authentik on loopback and a gateway over it (real undici pool, real sockets),
 * configured by `loadConfig(testEnv(fake.url, options.env))`.
 */
export async function startGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const fake = await startFakeAuthentik(options.fake);
  const logs: string[] = [];
  const write = (line: string) => void logs.push(line);
  let started: { app: App; origin: string };
  try {
    started = await startApp(loadConfig(testEnv(fake.url, options.env)), {
      logDestination: { write },
      processMetrics: false,
      plugins: options.plugins,
    });
  } catch (error) {
    // A setting loadConfig refuses (or a start that fails) leaves no fake running.
    await fake.close();
    throw error;
  }
  const { app, origin } = started;
  const apiRequests = () => fake.requests.filter((request) => request.path.startsWith('/api/v3/'));
  return {
    fake,
    app,
    url: origin,
    logs,
    async gql<T>(query: string, variables?: Record<string, unknown>, gqlOptions?: GqlOptions) {
      const response = await fetch(`${origin}/graphql`, gqlRequest(query, variables, gqlOptions));
      const body = (await response.json()) as FormattedExecutionResult<T>;
      return { status: response.status, headers: response.headers, ...body };
    },
    upstreamCalls: () =>
      apiRequests().map(({ path, query, authorization }) => ({ path, query, authorization })),
    apiCalls: () => apiRequests().length,
    async close() {
      await app.close(1000);
      await fake.close();
    },
  };
}

/** An upstream API request the fake received, as {@link TestGateway.upstreamCalls} lists it. */
export type UpstreamCall = ReturnType<TestGateway['upstreamCalls']>[number];

/** Runs `action` with the fake's request log emptied; its result and the upstream calls it made. */
export async function measured<T>(
  gw: TestGateway,
  action: () => Promise<T>,
): Promise<{ result: T; calls: UpstreamCall[] }> {
  gw.fake.resetRequests();
  const result = await action();
  return { result, calls: gw.upstreamCalls() };
}

/**
 * The gateway of the calling suite (`describe` or file): started before its tests, closed after
 * them. The object is filled in by the `beforeAll` hook, so read it inside tests and hooks only.
 */
export function useGateway(options?: TestGatewayOptions): TestGateway {
  const gateway = {} as TestGateway;
  beforeAll(async () => {
    Object.assign(gateway, await startGateway(options));
  });
  afterAll(async () => {
    // Absent when the start failed: that failure is the one to report.
    await (gateway as Partial<TestGateway>).close?.();
  });
  return gateway;
}

type ErrorLike = { extensions?: Record<string, unknown> | null };

/** The `extensions.code` of each error, in order: of a result, or of its `errors` list. */
export function codesOf(
  from: { errors?: readonly ErrorLike[] } | readonly ErrorLike[] | undefined,
): unknown[] {
  const errors = Array.isArray(from) ? from : (from as { errors?: readonly ErrorLike[] })?.errors;
  return ((errors ?? []) as readonly ErrorLike[]).map((error) => error.extensions?.code);
}
