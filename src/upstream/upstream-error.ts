/**
 * What went wrong talking to authentik, classified once at the HTTP boundary. `src/errors.ts`
 * decides which GraphQL error each kind becomes; nothing here is shown to a client as is.
 */
export type UpstreamErrorKind =
  | 'status' // authentik answered with a JSON error status (see `status`, `detail`, `fields`)
  | 'server' // 5xx, or any non-JSON error page
  | 'bad-response' // 2xx whose body is not the JSON we expect
  | 'too-large' // the body passed the response size cap
  | 'unreachable' // connection refused, reset, DNS failure
  | 'timeout' // no complete answer within the upstream timeout
  | 'unavailable' // the circuit breaker is open: authentik was failing a moment ago
  | 'no-credentials' // not sent: the caller sent no Authorization header
  | 'over-budget' // not sent: the operation has made all the calls MAX_COST allows
  | 'not-sent' // not sent: undici refused the request (a gateway bug, never authentik's failure)
  | 'aborted'; // given up by the gateway: the caller went away, or the answer was already complete

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly details: {
      status?: number;
      /** `detail` of a `{"detail": ...}` body. */
      detail?: string;
      /** Validation messages of a 400 body: a field map, or `non_field_errors` for a bare list. */
      fields?: Record<string, string[]>;
      /** For `over-budget`: the most calls one operation may make. */
      maxCalls?: number;
      /** For `over-budget`: the calls the operation is known to need, at least. */
      found?: number;
      /** For `over-budget`: refused when its need became known, before reading on. */
      refusedEarly?: boolean;
    } = {},
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  /**
   * A copy of its own for one more recipient: one failure can reach many (an abort reason, a
   * shared call's answer), and libraries mark the errors they are handed (Pothos brands each
   * item of a list), so every key and every request gets an object of its own.
   */
  copy(): UpstreamError {
    return Object.assign(new UpstreamError(this.kind, this.message, this.details), {
      cause: this.cause,
    });
  }
}
