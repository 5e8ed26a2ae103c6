import { randomUUID } from 'node:crypto';

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
