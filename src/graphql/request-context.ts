import { setMaxListeners } from 'node:events';
import { initContextCache } from '@pothos/core';
import type { GatewayContext, ResolverLimits } from './context.js';
import type { UpstreamStats } from '../observability/observed-request.js';
import { callerFingerprint } from '../observability/audit.js';
import { requestIdOf } from '../observability/request-id.js';
import type { RequestEvents } from '../observability/request-events.js';
import type { AuthentikClient } from '../upstream/authentik.js';
import type { RequestBudget } from '../upstream/request-budget.js';
import { ListsInFlight } from './lists-in-flight.js';
import { UpstreamError } from '../upstream/upstream-error.js';

// Why a request's upstream calls are given up: an UpstreamError, so that errors.ts reports it as
// the caller's doing (never as an internal error) and the circuit breaker counts it for nothing.
// A new one each time: libraries tag the errors they are handed (Pothos brands loader results), so
// a shared or frozen error would break them or carry one request's marks into another.
const requestFinished = () => new UpstreamError('aborted', 'the GraphQL request has finished');
const callerLeft = () =>
  new UpstreamError('aborted', 'the client closed the request before its answer');

/** What one request's context is built from (the composition root's parts and the request). */
export interface RequestContextDeps {
  authentik: AuthentikClient;
  limits: ResolverLimits;
  request: Request;
  /** MAX_COST, enforced while executing. Default none. */
  budget?: RequestBudget;
  /** Where upstream calls and writes are reported (metrics, the audit log). Default none. */
  events?: RequestEvents;
}

/**
 * Builds the per-request context: an authentik API bound to this caller's Authorization header
 * and abort signal, loaders that live and die with the request, and its audit reporter.
 */
export function createRequestContext({
  authentik,
  limits,
  request,
  budget,
  events,
}: RequestContextDeps): GatewayContext {
  const requestId = requestIdOf(request);
  const authorization = request.headers.get('authorization') ?? undefined;
  const upstreamStats: UpstreamStats = { calls: 0, totalMs: 0 };
  // Upstream calls end with the request: when the caller goes away, and when the answer is done
  // (graphql-js answers early when a non-null field fails, while sibling resolvers still run).
  const finished = new AbortController();
  // Every upstream call of the operation listens to it (up to MAX_COST): no leak warning.
  setMaxListeners(0, finished.signal);
  const onCallerLeft = () => finished.abort(callerLeft());
  request.signal.addEventListener('abort', onCallerLeft, { once: true });
  const finishUpstream = () => {
    request.signal.removeEventListener('abort', onCallerLeft);
    if (!finished.signal.aborted) finished.abort(requestFinished());
  };
  const api = authentik.forRequest(
    {
      authorization,
      signal: finished.signal,
      requestId,
      onCall: (call) => {
        upstreamStats.calls++;
        upstreamStats.totalMs += call.durationMs;
        events?.upstreamCall(call);
      },
    },
    budget,
  );
  return {
    ...initContextCache(),
    authentik: api,
    limits,
    requestId,
    lists: new ListsInFlight(),
    upstreamStats,
    finishUpstream,
    reportWrite: (event) =>
      events?.write({ ...event, requestId, caller: callerFingerprint(authorization) }),
  };
}
