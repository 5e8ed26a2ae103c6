/**
 * What the bench loads. Each scenario is one GraphQL operation sent to the gateway by one of two
 * traffic shapes (callers.ts: many callers with a token each, or one token for everything), and
 * its direct baseline is the REST calls that operation costs upstream, sent straight to the fake
 * with the same tokens. The distinct-caller page20 scenarios also load the floor (floor-proxy.ts):
 * a hand-written proxy doing the same job without GraphQL.
 *
 * The direct baseline is recorded, not hand-written: before each scenario the bench sends the
 * operation once and takes the calls the fake saw (see probe.ts). So:
 * - `page20`, `page100`: one list call (`page_size` 20 or 100).
 * - `lazyProvider`: the list call plus one `GET /providers/oauth2/{pk}/` per distinct provider on
 *   the page, made one after another by each connection, as a REST client without a gateway
 *   would. Its throughput is operations (whole sequences) per second and its latency the sum of
 *   the sequence's calls. (The gateway overlaps the provider calls; the fake's sample puts one
 *   provider on the first page, so both sides make two sequential calls.)
 * - `search`: the list pages the gateway's scan reads (all of them: the query asks for
 *   totalCount), again as one sequence per operation.
 */
import type { Callers } from './callers.js';

/** One operation the gateway is loaded with. */
export interface Operation {
  /** Short id used in the table and JSON (`page20`, ...). */
  id: string;
  /** What it is, for the table's legend. */
  title: string;
  query: string;
}

/** An operation at one concurrency and upstream latency, from one traffic shape. */
export interface Scenario {
  /** e.g. `distinct-page20@50` or `one-token-page20@10+20ms`. */
  id: string;
  callers: Callers;
  operation: Operation;
  connections: number;
  /** Latency the fake adds to every call (FAKE_LATENCY_MS). */
  upstreamLatencyMs: number;
  /** Load the floor proxy too (it answers the page20 query only). */
  withFloor: boolean;
}

const TOKEN_ROW = `pk expires isExpired revoked scope
  provider { pk name assignedApplicationName }
  user { pk username name email isActive }`;

/** The operations, in the order they run. */
export const OPERATIONS: readonly Operation[] = [
  {
    id: 'page20',
    title: '20-row page with provider and user fields',
    query: `query Page20 { refreshTokens(first: 20) {
      edges { cursor node { ${TOKEN_ROW} } } pageInfo { hasNextPage endCursor } } }`,
  },
  {
    id: 'page100',
    title: '100-row page, same fields',
    query: `query Page100 { refreshTokens(first: 100) {
      edges { cursor node { ${TOKEN_ROW} } } pageInfo { hasNextPage endCursor } } }`,
  },
  {
    id: 'lazyProvider',
    title: '20-row page with lazy OAuth2 provider fields (clientId, redirectUris)',
    query: `query LazyProvider { refreshTokens(first: 20) {
      nodes { pk expires provider { pk name clientId clientType redirectUris { url matchingMode } } }
      pageInfo { hasNextPage endCursor } } }`,
  },
  {
    id: 'search',
    title: 'search "smith" with totalCount (scans the whole list)',
    query: `query Search { refreshTokens(first: 20, search: "smith") { totalCount
      nodes { ${TOKEN_ROW} } pageInfo { hasNextPage endCursor } } }`,
  },
];

/**
 * The headline first: distinct callers, the 20-row page at 50 and 10 connections and at 10 with
 * 20 ms of upstream latency (each beside the floor), the other operations at 50 connections.
 * Then one token for every request: every operation at 10 and 50 connections, and the 20-row page
 * with 20 ms upstream latency.
 */
export function defaultScenarios(): Scenario[] {
  const [page20, ...others] = OPERATIONS as [Operation, ...Operation[]];
  const scenarios: Scenario[] = [
    scenario('distinct', page20, 50, 0, true),
    scenario('distinct', page20, 10, 0, true),
    scenario('distinct', page20, 10, 20, true),
    ...others.map((operation) => scenario('distinct', operation, 50, 0, false)),
  ];
  for (const operation of OPERATIONS) {
    for (const connections of [10, 50]) {
      scenarios.push(scenario('one-token', operation, connections, 0, false));
    }
  }
  scenarios.push(scenario('one-token', page20, 10, 20, false));
  return scenarios;
}

/** Whether `id` is picked by a BENCH_ONLY entry: the whole id, or its part before the `@`. */
export function matchesScenario(id: string, selector: string): boolean {
  return id === selector || id.startsWith(`${selector}@`);
}

function scenario(
  callers: Callers,
  operation: Operation,
  connections: number,
  upstreamLatencyMs: number,
  withFloor: boolean,
): Scenario {
  const latency = upstreamLatencyMs > 0 ? `+${upstreamLatencyMs}ms` : '';
  return {
    id: `${callers}-${operation.id}@${connections}${latency}`,
    callers,
    operation,
    connections,
    upstreamLatencyMs,
    withFloor,
  };
}
