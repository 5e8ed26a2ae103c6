/**
 * The federation test rig: this gateway as the `tokens` subgraph (real node:http server on
 * loopback, over the fake authentik) next to the `accounts` subgraph, composed with Hive's
 * composition library and served by Hive Gateway's runtime in-process.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import type { GatewayRuntime } from '@graphql-hive/gateway-runtime';
import type { CompositionResult } from '@theguild/federation-composition';
import { composeServices } from '@theguild/federation-composition';
import type { ExecutionResult } from 'graphql';
import { parse } from 'graphql';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startGateway } from '../helpers/gateway.js';
import type { AccountsSubgraph } from './accounts-subgraph.js';
import { ACCOUNTS_SDL, startAccountsSubgraph } from './accounts-subgraph.js';

/** The recorded subgraph SDL, as `rover` or a schema registry would read it. */
export const TOKENS_SDL = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');

/** Composes the tokens subgraph (schema.graphql) with the accounts subgraph. */
export function composeSupergraph(
  urls: { tokens: string; accounts: string } = {
    tokens: 'http://tokens.test/graphql',
    accounts: 'http://accounts.test/graphql',
  },
): CompositionResult {
  return composeServices([
    { name: 'tokens', typeDefs: parse(TOKENS_SDL), url: urls.tokens },
    { name: 'accounts', typeDefs: parse(ACCOUNTS_SDL), url: urls.accounts },
  ]);
}

/** A running supergraph and what its subgraphs saw. */
export interface Supergraph {
  gateway: GatewayRuntime;
  tokens: TestGateway;
  accounts: AccountsSubgraph;
  /** The `Authorization` header of every request the tokens subgraph received. */
  tokensRequests: (string | undefined)[];
  /** Sends an operation to the federation gateway (as `token`'s caller; null: anonymous). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<ExecutionResult<T>>;
  /** Forgets the requests the subgraphs and the fake authentik have seen. */
  resetCounts(): void;
  close(): Promise<void>;
}

/**
 * Starts both subgraphs and a Hive Gateway over them. The gateway forwards the caller's
 * `Authorization` to the tokens subgraph only, as the README asks of a router.
 */
export async function startSupergraph(): Promise<Supergraph> {
  const tokens = await startGateway();
  const tokensRequests: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    tokensRequests.push(req.headers.authorization);
    void tokens.app.yoga(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const accounts = await startAccountsSubgraph();
  const composed = composeSupergraph({
    tokens: `http://127.0.0.1:${port}/graphql`,
    accounts: accounts.url,
  });
  if (!composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.[0]}`);
  const gateway = createGatewayRuntime({
    supergraph: composed.supergraphSdl,
    logging: false,
    // Unexpected gateway errors in full, so that a failing test says why.
    maskedErrors: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, subgraphName }) =>
        subgraphName === 'tokens' ? { authorization: request.headers.get('authorization') } : {},
    },
  });
  return {
    gateway,
    tokens,
    accounts,
    tokensRequests,
    async gql(query, variables, token = ADMIN_TOKEN) {
      const response = await gateway.fetch('http://supergraph.test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as ExecutionResult<never>;
    },
    resetCounts() {
      tokensRequests.length = 0;
      accounts.requests.length = 0;
      tokens.fake.resetRequests();
    },
    async close() {
      await gateway.dispose();
      await accounts.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tokens.close();
    },
  };
}
