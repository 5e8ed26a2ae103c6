import type { ExecutionResult } from 'graphql';
import type { FakeAuthentik, FakeAuthentikOptions } from '../../src/fake-authentik/index.js';
import { ADMIN_TOKEN, startFakeAuthentik } from '../../src/fake-authentik/index.js';
import type { GatewayDeps } from '../../src/gateway.js';
import { createGateway } from '../../src/gateway.js';
import { DEFAULT_OPERATION_LIMITS } from '../../src/plugins/operation-limits.js';
import { createFastPath } from '../../src/server/fast-path.js';
import { createHttpServer } from '../../src/server/http-server.js';
import { AuthentikClient } from '../../src/upstream/authentik.js';
import { UpstreamHttp } from '../../src/upstream/http.js';

export interface TestGateway {
  fake: FakeAuthentik;
  client: AuthentikClient;
  yoga: ReturnType<typeof createGateway>;
  /**
   * POSTs a GraphQL operation over loopback to the gateway's HTTP server, as clients do (plain
   * JSON POSTs of queries take the server's fast path; the rest goes through yoga). `yoga.fetch`
   * reaches yoga in-process.
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
  const server = createHttpServer(yoga, {
    isReady: () => client.isReady(),
    fastPath: createFastPath(yoga, { maxBodyBytes: DEFAULT_OPERATION_LIMITS.maxBodyBytes }),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    fake,
    client,
    yoga,
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
      await server.close(1000);
      await http.close();
      await fake.close();
    },
  };
}
