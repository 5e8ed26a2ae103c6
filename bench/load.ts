import autocannon from 'autocannon';
import type { AutocannonRequest } from 'autocannon';

export interface LoadOptions {
  /** Origin (or full URL) the requests go to. */
  url: string;
  /**
   * The requests that make up one operation. Each connection sends them one after another and
   * starts over; an operation's latency is the sum of its requests' latencies.
   */
  sequence: AutocannonRequest[];
  connections: number;
  durationS: number;
}

export interface LoadResult {
  /** Operations whose requests all answered 2xx with a body free of GraphQL errors. */
  ops: number;
  /** Operations with a non-2xx answer, plus error bodies, connection errors and timeouts. */
  failures: number;
  durationS: number;
  opsPerSec: number;
  /** Every successful operation's latency, in ms, ascending (to merge runs). */
  latencies: Float64Array;
  /** Latency percentiles of successful operations, in ms (sub-ms precision). */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

interface OpInProgress {
  step: number;
  elapsedMs: number;
  ok: boolean;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Loads a server with autocannon (in this process) for a fixed time and measures whole
 * operations. Latencies are taken from autocannon's per-response timings rather than its
 * histograms, which round to whole milliseconds and cannot add up a sequence.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const steps = options.sequence.length;
  const latencies: number[] = [];
  let failures = 0;
  const inProgress = new WeakMap<object, OpInProgress>();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationS,
        requests: options.sequence,
        // A body carrying "errors" (a GraphQL error) counts as a failure.
        verifyBody: (body) => !body.includes('"errors"'),
      },
      (error, result) => {
        if (error) return reject(error);
        const sorted = Float64Array.from(latencies).sort();
        const total = sorted.reduce((sum, value) => sum + value, 0);
        resolve({
          ops: sorted.length,
          failures: failures + result.mismatches + result.errors + result.timeouts,
          durationS: result.duration,
          opsPerSec: sorted.length / result.duration,
          latencies: sorted,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          meanMs: total / Math.max(1, sorted.length),
        });
      },
    );
    instance.on('response', (client: object, status: number, _bytes: number, ms: number) => {
      let op = inProgress.get(client);
      if (!op) {
        op = { step: 0, elapsedMs: 0, ok: true };
        inProgress.set(client, op);
      }
      op.step++;
      op.elapsedMs += ms;
      op.ok &&= status >= 200 && status < 300;
      if (op.step < steps) return;
      if (op.ok) latencies.push(op.elapsedMs);
      else failures++;
      op.step = 0;
      op.elapsedMs = 0;
      op.ok = true;
    });
  });
}
