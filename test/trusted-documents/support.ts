import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FormattedExecutionResult } from 'graphql';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import { CSRF_HEADER } from '../../src/limits/csrf.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startGateway } from '../helpers/gateway.js';

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

export type Answer = FormattedExecutionResult & { status: number };

/** A gateway with TRUSTED_DOCUMENTS (see {@link startTrustedGateway}). */
export interface TrustedGateway extends TestGateway {
  /**
   * POSTs a JSON body (a GraphQL request, or a persisted document request) to /graphql with the
   * admin's token, or `token` (null: none).
   */
  post(body: unknown, options?: { token?: string | null }): Promise<Answer>;
  /** GETs /graphql with these query parameters as the admin (with the CSRF header). */
  get(params: Record<string, string>): Promise<Answer>;
  /** Documents yoga has parsed since the gateway started (counted by a plugin's onParse). */
  parses(): number;
  /** The value of one series in /metrics, 0 when absent. */
  metric(series: string): Promise<number>;
}

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, ...((await response.json()) as FormattedExecutionResult) };
}

/**
 * Starts a test gateway (`startGateway`) whose TRUSTED_DOCUMENTS is `file`, logging at info, with
 * `env` over that, and the requests these tests send besides `gql`.
 */
export async function startTrustedGateway(
  file: string,
  env: Record<string, string> = {},
): Promise<TrustedGateway> {
  let parses = 0;
  const gateway = await startGateway({
    env: { TRUSTED_DOCUMENTS: file, LOG_LEVEL: 'info', ...env },
    plugins: [
      {
        onParse() {
          parses += 1;
        },
      },
    ],
  });
  const graphql = `${gateway.url}/graphql`;
  return {
    ...gateway,
    async post(body, { token = ADMIN_TOKEN } = {}) {
      const response = await fetch(graphql, {
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
      const response = await fetch(`${graphql}?${new URLSearchParams(params)}`, {
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          [CSRF_HEADER]: '1',
          accept: 'application/json',
        },
      });
      return answerOf(response);
    },
    parses: () => parses,
    async metric(series) {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? 0 : Number(line.slice(series.length + 1));
    },
  };
}
