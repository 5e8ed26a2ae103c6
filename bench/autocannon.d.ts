/** The slice of autocannon 8's API the bench uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  /** One request of the sequence each connection cycles through. */
  export interface AutocannonRequest {
    method?: string;
    /** Path and query, overriding the URL's. */
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /**
     * Called before every send of this request with a copy of it and the connection's context
     * (emptied when the connection starts its sequence over); returns the request to send.
     */
    setupRequest?: (
      request: AutocannonRequest,
      context: Record<string, unknown>,
    ) => AutocannonRequest;
  }

  export interface AutocannonOptions {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds before a request counts as timed out. Default 10. */
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: AutocannonRequest[];
    /** A response body for which this returns false counts as a mismatch. */
    verifyBody?: (body: string) => boolean;
  }

  /** Percentiles of one statistic (`p50`, `p99`, ... ; latency in ms). */
  export interface Histogram {
    average: number;
    min: number;
    max: number;
    p50: number;
    p99: number;
  }

  export interface AutocannonResult {
    /** Seconds the run lasted. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
    latency: Histogram;
    requests: Histogram & { total: number };
  }

  /** Emits `response` (client, statusCode, bytes, responseTimeMs) for every response. */
  export interface AutocannonInstance extends EventEmitter {
    stop(): void;
  }

  function autocannon(
    options: AutocannonOptions,
    callback: (error: Error | null, result: AutocannonResult) => void,
  ): AutocannonInstance;

  export default autocannon;
}
