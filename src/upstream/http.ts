import { errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { createUpstreamDispatcher } from './dispatcher.js';
import type { UpstreamConnectionOptions } from './dispatcher.js';
import { UpstreamResilience } from './resilience.js';
import type { BreakerOptions, LoopStalls } from './resilience.js';
import { SharedFlights } from './shared-flights.js';
import { UpstreamError } from './upstream-error.js';

/** Per-call facts: whose credentials, which request, and a hook to count the call. */
export interface UpstreamCall {
  /** The caller's `Authorization` header, forwarded verbatim (never stored beyond the call). */
  authorization?: string;
  /** The GraphQL request's abort signal: a caller that went away cancels its upstream calls. */
  signal?: AbortSignal;
  /** Forwarded as `X-Request-Id`. */
  requestId?: string;
  /** Told about every call once it ends (for per-operation stats and metrics). */
  onCall?: (call: CompletedCall) => void;
}

/** Where a call goes: the concrete path, and its fixed template for metrics and logs. */
export interface UpstreamTarget {
  /** Path below the base URL, built from validated values only, e.g. `/api/v3/core/users/7/`. */
  path: string;
  /** The route's template, e.g. `/api/v3/core/users/{pk}/`: never a value from a request. */
  route: string;
}

export interface CompletedCall {
  method: string;
  path: string;
  /** The route's template (a fixed set: safe as a metric label). */
  route: string;
  status: number | undefined;
  durationMs: number;
  outcome: 'ok' | UpstreamError['kind'] | 'aborted';
}

export interface UpstreamHttpOptions {
  /** Upper bound for one call, from connect to the last body byte. */
  timeoutMs: number;
  /** Keep-alive sockets per origin (UPSTREAM_CONNECTIONS). */
  connections: number;
  /** Largest body read from authentik, in bytes (UPSTREAM_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  /** Retries of a GET after a connection reset/refusal or a 502/503/504 (UPSTREAM_RETRIES). */
  retries: number;
  /** Circuit breaker for this origin; undefined turns it off. */
  breaker: BreakerOptions | undefined;
  /** The gateway's own event-loop stalls: a timeout they caused is not authentik's failure. */
  loopStalls: LoopStalls | undefined;
  /** Extra CA certificates (PEM) for authentik's TLS (AUTHENTIK_CA_FILE). */
  ca: UpstreamConnectionOptions['ca'];
  /** Proxies for the authentik connection. */
  proxy: UpstreamConnectionOptions['proxy'];
}

export interface UpstreamResponse {
  status: number;
  /** Parsed JSON body, or undefined for an empty body. */
  json: unknown;
}

/**
 * The one place that speaks HTTP to authentik: one keep-alive undici Pool for its origin (or a
 * proxy agent, see dispatcher.ts), explicit timeouts, the caller's abort signal, a body size cap,
 * and error classification.
 */
export class UpstreamHttp {
  readonly origin: string;
  /** Path prefix of the authentik install (usually empty), without a trailing slash. */
  readonly basePath: string;
  private readonly pool: Dispatcher;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  /** Retry and circuit-breaker policy (see resilience.ts); one deadline covers the retries. */
  readonly resilience: UpstreamResilience;
  /** Identical GETs of one caller in flight at once (see shared-flights.ts). */
  readonly inFlightGets = new SharedFlights<UpstreamResponse>();

  constructor(baseUrl: string, options: UpstreamHttpOptions) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.maxResponseBytes = options.maxResponseBytes;
    this.pool = createUpstreamDispatcher(this.origin, options);
    this.resilience = new UpstreamResilience(options);
  }

  /**
   * Sends one request; resolves with any JSON answer (errors included) or throws UpstreamError.
   * A GET joins an identical GET of the same caller (same Authorization) already in flight, from
   * this request or another; the joiner's `onCall` is not told, as it made no call. A write makes
   * the GETs in flight unjoinable, before and after it is sent.
   */
  request(
    method: 'GET' | 'DELETE',
    target: UpstreamTarget,
    call: UpstreamCall,
  ): Promise<UpstreamResponse> {
    if (method === 'GET') {
      const key = `${call.authorization ?? ''}\n${target.path}`;
      return this.inFlightGets.join(key, call.signal, (signal) =>
        this.send(method, target, { ...call, signal }),
      );
    }
    this.inFlightGets.forgetAll();
    const sent = this.send(method, target, call);
    const written = () => this.inFlightGets.forgetAll();
    sent.then(written, written);
    return sent;
  }

  private send(method: 'GET' | 'DELETE', target: UpstreamTarget, call: UpstreamCall) {
    return this.resilience.run(method, call.signal, (signal) =>
      this.attempt(method, target, { ...call, signal }),
    );
  }

  // One HTTP exchange; `call.signal` aborts on the caller leaving or the deadline of the retries
  // (resilience.ts owns the deadline; undici's own timeouts back it up).
  private async attempt(
    method: 'GET' | 'DELETE',
    { path, route }: UpstreamTarget,
    call: UpstreamCall,
  ): Promise<UpstreamResponse> {
    const started = performance.now();
    let status: number | undefined;
    let outcome: CompletedCall['outcome'] = 'ok';
    try {
      if (call.signal?.aborted) throw call.signal.reason ?? new Error('aborted');
      const headers: Record<string, string> = { accept: 'application/json' };
      if (call.authorization !== undefined) headers.authorization = call.authorization;
      if (call.requestId !== undefined) headers['x-request-id'] = call.requestId;
      const response = await this.pool.request({
        origin: this.origin,
        method,
        path: this.basePath + path,
        headers,
        signal: call.signal,
      });
      status = response.statusCode;
      const text = await readBody(response, this.maxResponseBytes);
      return { status, json: parseBody(status, response.headers['content-type'], text) };
    } catch (error) {
      const failure = this.classify(error, call.signal);
      outcome = failure instanceof UpstreamError ? failure.kind : 'aborted';
      throw failure;
    } finally {
      const durationMs = performance.now() - started;
      call.onCall?.({ method, path, route, status, durationMs, outcome });
    }
  }

  /** Closes the pool's sockets; in-flight calls finish first. */
  close(): Promise<void> {
    return this.pool.close();
  }

  // Turns whatever undici or our parsing threw into an UpstreamError (or the caller's abort).
  private classify(error: unknown, signal: AbortSignal | undefined): unknown {
    if (error instanceof UpstreamError) return error;
    // Aborted: by the deadline (its reason is a timeout UpstreamError) or by the caller leaving.
    if (signal?.aborted) return signal.reason ?? error;
    if (
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError
    ) {
      return new UpstreamError('timeout', `authentik did not answer within ${this.timeoutMs} ms`);
    }
    // undici refused to send it (a bad path or header): nothing reached authentik, so this is
    // never authentik's failure and must not count toward the circuit breaker.
    if (
      error instanceof undiciErrors.InvalidArgumentError ||
      error instanceof undiciErrors.NotSupportedError ||
      !(error instanceof Error) ||
      !('code' in error)
    ) {
      return new UpstreamError('not-sent', 'the gateway could not send this request to authentik');
    }
    // The cause (undici's error, with its code) tells resilience.ts whether a retry is safe.
    return Object.assign(new UpstreamError('unreachable', 'authentik could not be reached'), {
      cause: error,
    });
  }
}

// Reads the whole body as text, refusing (and discarding) anything past the cap.
async function readBody(response: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new UpstreamError('too-large', `authentik's answer is larger than ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw new UpstreamError('too-large', `authentik's answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(buffer);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

// authentik answers HTML for unknown paths and crashes: only a JSON body is ever parsed.
function parseBody(
  status: number,
  contentType: string | string[] | undefined,
  text: string,
): unknown {
  if (text === '') {
    if (status >= 200 && status < 300) return undefined;
    throw new UpstreamError('server', `authentik answered ${status} with an empty body`, {
      status,
    });
  }
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  const looksJson = type === undefined ? /^\s*[[{"]/.test(text) : /\bjson\b/i.test(type);
  if (!looksJson) {
    const kind = status >= 200 && status < 300 ? 'bad-response' : 'server';
    throw new UpstreamError(kind, `authentik answered ${status} with a non-JSON body`, { status });
  }
  try {
    return JSON.parse(text);
  } catch {
    const kind = status >= 200 && status < 300 ? 'bad-response' : 'server';
    throw new UpstreamError(kind, `authentik answered ${status} with malformed JSON`, { status });
  }
}
