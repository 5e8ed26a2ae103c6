/**
 * What the bench loads: the README's 20-row page with provider and user fields, in both shapes a
 * client may select (`nodes { ... }`, what the README's examples do, and `edges { node { ... } }`),
 * sent by two traffic shapes (callers.ts: 200 tokens in turn, or one token).
 *
 * Each scenario's direct baseline is the REST call that operation costs upstream, recorded from
 * the gateway before the scenario (probe.ts: one list call with `page_size=20`) and sent straight
 * to the fake with the same tokens.
 */
import type { Callers } from './callers.js';

/** The two connection shapes of the same page. */
export type Shape = 'nodes' | 'edges';

/** Which servers a scenario loads besides the direct baseline (see servers.ts). */
export type ServerKind = 'floor' | 'gateway' | 'limited' | 'compare';

export interface Scenario {
  /** e.g. `distinct-nodes@50`. */
  id: string;
  callers: Callers;
  shape: Shape;
  connections: number;
  loads: readonly ServerKind[];
}

const ROW = `pk expires isExpired revoked scope
  provider { pk name assignedApplicationName }
  user { pk username name email isActive }`;

/** The operation of each shape. */
export const QUERIES: Readonly<Record<Shape, string>> = {
  nodes: `query Page20 { refreshTokens(first: 20) {
    nodes { ${ROW} } pageInfo { hasNextPage endCursor } } }`,
  edges: `query Page20 { refreshTokens(first: 20) {
    edges { cursor node { ${ROW} } } pageInfo { hasNextPage endCursor } } }`,
};

/**
 * The headline first: distinct callers, `nodes`, 50 connections, on every server (the floor, the
 * gateway, the gateway under the memory limit, the compared gateway); the `edges` shape beside
 * it; 10 connections for the latency target; one token for every request last.
 */
export const SCENARIOS: readonly Scenario[] = [
  scenario('distinct', 'nodes', 50, ['floor', 'gateway', 'limited', 'compare']),
  scenario('distinct', 'edges', 50, ['floor', 'gateway', 'compare']),
  scenario('distinct', 'nodes', 10, ['floor', 'gateway', 'compare']),
  scenario('one-token', 'nodes', 50, ['gateway', 'compare']),
];

function scenario(
  callers: Callers,
  shape: Shape,
  connections: number,
  loads: readonly ServerKind[],
): Scenario {
  return { id: `${callers}-${shape}@${connections}`, callers, shape, connections, loads };
}
