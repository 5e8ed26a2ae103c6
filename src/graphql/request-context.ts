import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { initContextCache } from '@pothos/core';
import type { GatewayContext, ResolverLimits, UpstreamStats } from './context.js';
import type { RevokeResult } from '../grants/revoke.js';
import type { AuthentikClient } from '../upstream/authentik.js';
import type { RequestBudget } from '../upstream/request-budget.js';
import { ListsInFlight } from './lists-in-flight.js';
import { UpstreamError } from '../upstream/upstream-error.js';
import type { CompletedCall } from '../upstream/http.js';

// Why a request's upstream calls are given up. Shared, so that no request builds an error (and its
// stack) for it; an UpstreamError, so that errors.ts reports it as the caller's doing (never as an
// internal error) and the circuit breaker counts it for nothing.
const REQUEST_FINISHED = Object.freeze(
  new UpstreamError('aborted', 'the GraphQL request has finished'),
);
const CALLER_LEFT = Object.freeze(
  new UpstreamError('aborted', 'the client closed the request before its answer'),
);

// A request id a caller sent is kept only if it is short and plain, so it is safe to log and forward.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const requestIds = new WeakMap<Request, string>();

/**
 * The id for this request: the caller's `X-Request-Id` when it is plain, else a new one. Decided
 * once per request, so that the log line, the upstream calls and the response agree.
 */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    const sent = request.headers.get('x-request-id');
    id = sent && SAFE_REQUEST_ID.test(sent) ? sent : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/**
 * Builds the per-request context: an authentik API bound to this caller's Authorization header
 * and abort signal, and loaders that live and die with the request.
 */
export function createRequestContext(
  authentik: AuthentikClient,
  limits: ResolverLimits,
  request: Request,
  onCall?: (call: CompletedCall) => void,
  budget?: RequestBudget,
  onRevoke?: (requestId: string, result: RevokeResult) => void,
): GatewayContext {
  const requestId = requestIdOf(request);
  const upstreamStats: UpstreamStats = { calls: 0, totalMs: 0 };
  // Upstream calls end with the request: when the caller goes away, and when the answer is done
  // (graphql-js answers early when a non-null field fails, while sibling resolvers still run).
  const finished = new AbortController();
  // Every upstream call of the operation listens to it (up to MAX_COST): no leak warning.
  setMaxListeners(0, finished.signal);
  const callerLeft = () => finished.abort(CALLER_LEFT);
  request.signal.addEventListener('abort', callerLeft, { once: true });
  const finishUpstream = () => {
    request.signal.removeEventListener('abort', callerLeft);
    finished.abort(REQUEST_FINISHED);
  };
  const api = authentik.forRequest(
    {
      authorization: request.headers.get('authorization') ?? undefined,
      signal: finished.signal,
      requestId,
      onCall: (call) => {
        upstreamStats.calls++;
        upstreamStats.totalMs += call.durationMs;
        onCall?.(call);
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
    ...(onRevoke ? { reportRevoke: (result: RevokeResult) => onRevoke(requestId, result) } : {}),
  };
}
