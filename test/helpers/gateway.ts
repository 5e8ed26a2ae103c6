import type { ExecutionResult } from 'graphql';
import type { FakeAuthentik, FakeAuthentikOptions } from '../../src/fake-authentik/index.js';
import { ADMIN_TOKEN, startFakeAuthentik } from '../../src/fake-authentik/index.js';
import type { GatewayDeps } from '../../src/gateway.js';
import { createGateway } from '../../src/gateway.js';
import { AuthentikClient } from '../../src/upstream/authentik.js';
import { UpstreamHttp } from '../../src/upstream/http.js';

export interface TestGateway {
  fake: FakeAuthentik;
  client: AuthentikClient;
  yoga: ReturnType<typeof createGateway>;
  /** POSTs a GraphQL operation through yoga in-process (the upstream is the fake, over loopback). */
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
  limits?: Partial<GatewayDeps['limits']>;
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
  const http = new UpstreamHttp(fake.url, { timeoutMs: options.timeoutMs ?? 5_000 });
  const client = new AuthentikClient(http);
  const yoga = createGateway({
    authentik: client,
    limits: { maxPageSize: 100, searchScanLimit: 10_000, ...options.limits },
  });
  return {
    fake,
    client,
    yoga,
    async gql(query, variables, options) {
      const response = await yoga.fetch(
        'http://gateway.test/graphql',
        gqlRequest(query, variables, options),
      );
      return { status: response.status, ...((await response.json()) as ExecutionResult<never>) };
    },
    upstreamCalls() {
      return fake.requests
        .filter((request) => request.path.startsWith('/api/v3/'))
        .map(({ path, query, authorization }) => ({ path, query, authorization }));
    },
    async close() {
      await http.close();
      await fake.close();
    },
  };
}
