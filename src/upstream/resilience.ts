import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamError } from './upstream-error.js';

/** When to stop sending calls to an origin that keeps failing. */
export interface BreakerOptions {
  /** Consecutive failed calls (connection failure, timeout, 5xx) that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe call may try again, in ms. */
  resetMs: number;
}

/**
 * How long the gateway's own event loop was blocked (observability/event-loop.ts implements it):
 * a deadline that passed while the gateway could not read authentik's answer is not authentik's.
 */
export interface LoopStalls {
  /** Milliseconds the loop was blocked between `since` (a `performance.now()` time) and now. */
  stalledMsSince(since: number): number;
}

export interface ResilienceOptions {
  /** Deadline for one call including its retries, in ms. */
  timeoutMs: number;
  /** The gateway's own stalls, so that a timeout they caused does not count against authentik. */
  loopStalls?: LoopStalls;
  /** Retries of a GET after a connection reset/refusal or a 502/503/504 (UPSTREAM_RETRIES). */
  retries: number;
  /** Smallest and largest backoff before a retry, in ms (jittered): {@link RETRY_BACKOFF_MS} unless a test shortens it. */
  backoffMs?: { min: number; max: number };
  /** Circuit breaker for the origin; undefined turns it off. */
  breaker?: BreakerOptions;
}

/** Backoff before a retry, in ms, jittered between the two: short, as one deadline covers every retry. */
export const RETRY_BACKOFF_MS = { min: 50, max: 200 } as const;

/** Statuses that mean "a proxy or authentik is briefly overloaded": safe to retry a GET. */
const RETRY_STATUSES = new Set([502, 503, 504]);
/** Socket errors where the request surely never reached authentik's application. */
const RETRY_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

type Verdict = 'success' | 'failure' | 'neutral';

/**
 * A timeout counts against authentik only when the gateway's loop was running for at least this
 * share of the deadline: otherwise the answer may have been there, unread, while the gateway was
 * blocked (a client's expensive request, a long GC).
 */
const MIN_RESPONSIVE_SHARE = 0.75;

/**
 * Per-origin circuit breaker: closed while calls succeed; open (every call fails fast with
 * UPSTREAM_UNAVAILABLE) after `failureThreshold` consecutive failures; after `resetMs` one probe
 * call goes through (half-open) and its outcome closes or reopens the circuit. A 4xx answer is a
 * success here: authentik answered, the caller was wrong.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 'closed', 'open' or 'half-open' (a probe may go, or is in flight). */
  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.options.resetMs ? 'half-open' : 'open';
  }

  /** Lets one call through (true: as the half-open probe), or throws UpstreamError('unavailable'). */
  admit(): boolean {
    const state = this.state;
    if (state === 'closed') return false;
    if (state === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    const retryInMs = Math.max(0, this.options.resetMs - (this.now() - this.openedAt!));
    throw new UpstreamError(
      'unavailable',
      `authentik is unavailable: the last ${this.failures} calls failed; ` +
        `the gateway tries again in ${Math.ceil(retryInMs / 1000)} s`,
    );
  }

  /** Records how an admitted call ended (`probe`: what `admit` returned for it). */
  record(verdict: Verdict, probe: boolean): void {
    if (probe) this.probing = false;
    if (verdict === 'neutral') return;
    if (verdict === 'success') {
      this.failures = 0;
      this.openedAt = undefined;
      return;
    }
    this.failures++;
    if (probe || (this.openedAt === undefined && this.failures >= this.options.failureThreshold)) {
      this.openedAt = this.now();
    }
  }
}

/**
 * Retry and circuit-breaker policy around single HTTP attempts to one origin. One deadline
 * covers a call and all its retries; only GETs are retried, only after a connection
 * reset/refusal or a 502/503/504, never after a timeout or once the caller went away.
 */
export class UpstreamResilience {
  readonly breaker: CircuitBreaker | undefined;
  private readonly retries: number;
  private readonly backoff: { min: number; max: number };

  constructor(private readonly options: ResilienceOptions) {
    this.retries = options.retries;
    this.backoff = options.backoffMs ?? RETRY_BACKOFF_MS;
    this.breaker = options.breaker && new CircuitBreaker(options.breaker);
  }

  /**
   * Runs `attempt` (one HTTP exchange) under the policy. `attempt` gets a signal that aborts when
   * the caller goes away (with the caller's reason) or the deadline passes (with a timeout
   * UpstreamError as reason).
   */
  async run<T extends { status: number }>(
    method: string,
    callerSignal: AbortSignal | undefined,
    attempt: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    let probe = this.breaker?.admit() ?? false;
    const started = performance.now();
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(callerSignal!.reason);
    if (callerSignal?.aborted) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(
      () =>
        controller.abort(
          new UpstreamError(
            'timeout',
            `authentik did not answer within ${this.options.timeoutMs} ms`,
          ),
        ),
      this.options.timeoutMs,
    );
    try {
      for (let retry = 0; ; retry++) {
        if (retry > 0) {
          await this.pause(retry, controller.signal);
          probe = this.breaker?.admit() ?? false;
        }
        let response: T;
        try {
          response = await attempt(controller.signal);
        } catch (error) {
          this.breaker?.record(this.verdictOn(error, callerSignal, started), probe);
          if (!this.mayRetry(method, retry, controller.signal, retryableError(error))) throw error;
          continue;
        }
        this.breaker?.record(response.status >= 500 ? 'failure' : 'success', probe);
        if (!this.mayRetry(method, retry, controller.signal, RETRY_STATUSES.has(response.status)))
          return response;
      }
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  // A timeout during which the gateway's own loop ran for less than MIN_RESPONSIVE_SHARE of the
  // deadline (blocked the rest of it) is not authentik's failure.
  private verdictOn(error: unknown, callerSignal: AbortSignal | undefined, started: number) {
    const verdict = failureVerdict(error, callerSignal);
    const { loopStalls, timeoutMs } = this.options;
    if (verdict !== 'failure' || !loopStalls || (error as UpstreamError).kind !== 'timeout') {
      return verdict;
    }
    const responsiveMs = performance.now() - started - loopStalls.stalledMsSince(started);
    return responsiveMs < timeoutMs * MIN_RESPONSIVE_SHARE ? 'neutral' : verdict;
  }

  private mayRetry(method: string, retry: number, signal: AbortSignal, retryable: boolean) {
    return (
      retryable &&
      method === 'GET' &&
      retry < this.retries &&
      !signal.aborted &&
      this.breaker?.state !== 'open'
    );
  }

  // Full jitter between min and an exponentially growing cap, so retries of many callers spread.
  private async pause(retry: number, signal: AbortSignal): Promise<void> {
    const { min, max } = this.backoff;
    const cap = Math.min(max, min * 2 ** retry);
    try {
      await sleep(min + Math.random() * Math.max(0, cap - min), undefined, { signal });
    } catch {
      throw signal.reason;
    }
  }
}

function retryableError(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  if (error.kind === 'server') return RETRY_STATUSES.has(error.status ?? 0);
  if (error.kind !== 'unreachable') return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && RETRY_CODES.has(code);
}

// Only signs that authentik itself is down count against it (5xx, timeouts, resets, refusals); a
// caller leaving or a request undici would not send counts for nothing.
function failureVerdict(error: unknown, callerSignal: AbortSignal | undefined): Verdict {
  if (callerSignal?.aborted) return 'neutral';
  if (!(error instanceof UpstreamError)) return 'neutral';
  switch (error.kind) {
    case 'unreachable':
    case 'timeout':
      return 'failure';
    case 'server':
      return (error.status ?? 500) >= 500 ? 'failure' : 'success';
    case 'not-sent':
    case 'aborted':
      return 'neutral';
    default:
      return 'success';
  }
}
