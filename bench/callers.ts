/**
 * Who sends the bench's requests. `one-token`: every request carries the demo superuser's token,
 * so the gateway may share identical upstream calls in flight (one caller, many requests).
 * `distinct`: many API tokens of that superuser in turn, so no two requests in flight carry the
 * same one and nothing can be shared: what a gateway in front of an identity provider mostly sees
 * (many clients and services, each with its own token).
 */
import type { AutocannonRequest } from 'autocannon';

/** The two traffic shapes. */
export type Callers = 'one-token' | 'distinct';

/**
 * Tokens the `distinct` shape rotates through: more than the largest connection count, so that
 * the requests in flight (one per connection) all carry different ones.
 */
export const DISTINCT_CALLER_TOKENS = 200;

/** How the table names a traffic shape. */
export function describeCallers(callers: Callers): string {
  return callers === 'distinct' ? `${DISTINCT_CALLER_TOKENS} tokens` : '1 token';
}

/**
 * The sequence with an `Authorization: Bearer <token>` on every request. With several tokens each
 * operation takes the next one in turn (all its requests carry it, as one client's would).
 */
export function withCallerTokens(
  sequence: readonly AutocannonRequest[],
  tokens: readonly string[],
): AutocannonRequest[] {
  if (tokens.length === 0) throw new Error('withCallerTokens: no tokens');
  if (tokens.length === 1) {
    const authorization = `Bearer ${tokens[0]}`;
    return sequence.map((request) => ({
      ...request,
      headers: { ...request.headers, authorization },
    }));
  }
  let next = 0;
  const setupRequest = (request: AutocannonRequest, context: Record<string, unknown>) => {
    // The connection's context is emptied when it starts its sequence over: a new operation.
    if (typeof context.authorization !== 'string') {
      context.authorization = `Bearer ${tokens[next]}`;
      next = (next + 1) % tokens.length;
    }
    request.headers = { ...request.headers, authorization: context.authorization as string };
    return request;
  };
  return sequence.map((request) => ({ ...request, setupRequest }));
}
