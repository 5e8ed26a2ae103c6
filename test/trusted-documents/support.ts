import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutionResult } from 'graphql';
import type { App } from '../../src/app.js';
import type { GatewayConfig } from '../../src/config.js';
import { CSRF_HEADER } from '../../src/limits/csrf.js';
import type { FakeAuthentik } from '../../src/fake-authentik/index.js';
import { ADMIN_TOKEN, startFakeAuthentik } from '../../src/fake-authentik/index.js';
import { startApp, testConfig } from '../helpers/gateway.js';

/** The schema file the client toolchains generate from (what `npm run schema` writes). */
export const SCHEMA_FILE = path.resolve('schema.graphql');

/** A temporary directory for generated operations and manifests, removed by `remove()`. */
export function tempDir(): {
  dir: string;
  file(name: string, text: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'trusted-documents-'));
  return {
    dir,
    file(name, text) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type Answer = ExecutionResult & { status: number };

/** A gateway with TRUSTED_DOCUMENTS over a fake authentik on loopback, as main.ts wires one. */
export interface TrustedGateway {
  app: App;
  fake: FakeAuthentik;
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** Every log line so far (raw JSON text). */
  logs: string[];
  /**
   * POSTs a JSON body (a GraphQL request, or a persisted document request) with the admin's
   * token, or `token` (null: none).
   */
  post(body: unknown, options?: { token?: string | null }): Promise<Answer>;
  /** GETs /graphql with these query parameters as the admin (with the CSRF header). */
  get(params: Record<string, string>): Promise<Answer>;
  /** Calls the fake authentik received on its API since the gateway started. */
  upstreamCalls(): number;
  /** Documents yoga has parsed since the gateway started (counted by a plugin's onParse). */
  parses(): number;
  /** The value of one series in /metrics, 0 when absent. */
  metric(series: string): Promise<number>;
  close(): Promise<void>;
}

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, ...((await response.json()) as ExecutionResult) };
}

/** Starts a fake authentik and a gateway whose TRUSTED_DOCUMENTS is `file`. */
export async function startTrustedGateway(
  file: string,
  overrides: Partial<GatewayConfig> = {},
): Promise<TrustedGateway> {
  const fake = await startFakeAuthentik();
  const logs: string[] = [];
  const config = testConfig(fake.url, {
    logLevel: 'info',
    upstreamRetries: 0,
    breakerFailureThreshold: 0,
    trustedDocuments: file,
    ...overrides,
  });
  let parses = 0;
  const { app, origin } = await startApp(config, {
    logDestination: { write: (line: string) => void logs.push(line) },
    processMetrics: false,
    plugins: [
      {
        onParse() {
          parses += 1;
        },
      },
    ],
  });
  const url = `${origin}/graphql`;
  return {
    app,
    fake,
    url,
    logs,
    async post(body, { token = ADMIN_TOKEN } = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });
      return answerOf(response);
    },
    async get(params) {
      const response = await fetch(`${url}?${new URLSearchParams(params)}`, {
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          [CSRF_HEADER]: '1',
          accept: 'application/json',
        },
      });
      return answerOf(response);
    },
    upstreamCalls: () => fake.countRequests('/api/v3/'),
    parses: () => parses,
    async metric(series) {
      const text = await (await fetch(`${origin}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? 0 : Number(line.slice(series.length + 1));
    },
    async close() {
      await app.close(1000);
      await fake.close();
    },
  };
}
