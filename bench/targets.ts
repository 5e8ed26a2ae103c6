import type { ScenarioResult } from './measure.js';

/** One performance target and how this run did against it (`pass` undefined: not measured). */
export interface TargetCheck {
  target: string;
  actual: string;
  pass: boolean | undefined;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

/** Gateway CPU per request at most this multiple of the floor's (issue 13). */
export const MAX_CPU_PER_OP_VS_FLOOR = 1.5;
/** Gateway p99 at 10 connections at most this multiple of the floor's (issue 13). */
export const MAX_P99_VS_FLOOR = 1.5;
/** Gateway peak resident set over the whole run, in MB. */
export const MAX_PEAK_RSS_MB = 150;
/** With 20 ms upstream latency at 10 connections: gateway p50 at most direct p50 plus this, ms. */
export const MAX_P50_OVER_DIRECT_MS = 2;

// A check of one scenario's result, or "not run" when the scenario was left out.
function check(
  result: ScenarioResult | undefined,
  target: string,
  measure: (result: ScenarioResult) => { actual: string; pass: boolean },
): TargetCheck {
  if (!result) return { target, actual: 'not run', pass: undefined };
  const { actual, pass } = measure(result);
  return { target, actual, pass };
}

function cpuVsFloor(result: ScenarioResult): { actual: string; pass: boolean } {
  const ratio = result.vsFloor?.cpuPerOp ?? Number.NaN;
  return {
    actual:
      `${fixed(ratio, 2)}× (${fixed(result.gateway.cpuMsPerOp ?? Number.NaN, 2)} vs ` +
      `${fixed(result.floor?.cpuMsPerOp ?? Number.NaN, 2)} CPU ms/op)`,
    pass: ratio <= MAX_CPU_PER_OP_VS_FLOOR,
  };
}

function p50OverDirect(result: ScenarioResult): { actual: string; pass: boolean } {
  return {
    actual:
      `${fixed(result.gateway.p50Ms, 2)} ms vs ${fixed(result.direct.p50Ms, 2)} ms ` +
      `(+${fixed(result.p50OverDirectMs, 2)})`,
    pass: result.p50OverDirectMs <= MAX_P50_OVER_DIRECT_MS,
  };
}

/**
 * The targets. Issue 13's, on distinct callers (a token per request in flight) and the 20-row
 * page: gateway CPU per request at most 1.5× the floor's (at 50 and at 10 connections), p99 at 10
 * connections at most 1.5× the floor's, peak RSS over the whole run at most 150 MB, and with 20 ms
 * of upstream latency at 10 connections a p50 at most 2 ms above direct. Then the earlier ones, on
 * one token for every request: at least half the direct throughput at 50 connections, a p99 of at
 * most 15 ms at 10, and the same p50 bound with 20 ms of upstream latency.
 */
export function checkTargets(
  results: readonly ScenarioResult[],
  gatewayPeakRssMb: number | undefined,
): TargetCheck[] {
  const byId = new Map(results.map((result) => [result.id, result]));
  return [
    check(
      byId.get('distinct-page20@50'),
      `distinct callers, page20 @50: gateway CPU/op ≤ ${MAX_CPU_PER_OP_VS_FLOOR}× floor's`,
      cpuVsFloor,
    ),
    check(
      byId.get('distinct-page20@10'),
      `distinct callers, page20 @10: gateway CPU/op ≤ ${MAX_CPU_PER_OP_VS_FLOOR}× floor's`,
      cpuVsFloor,
    ),
    check(
      byId.get('distinct-page20@10'),
      `distinct callers, page20 @10: gateway p99 ≤ ${MAX_P99_VS_FLOOR}× floor's`,
      (result) => {
        const ratio = result.vsFloor?.p99 ?? Number.NaN;
        return {
          actual:
            `${fixed(ratio, 2)}× (${fixed(result.gateway.p99Ms, 2)} vs ` +
            `${fixed(result.floor?.p99Ms ?? Number.NaN, 2)} ms)`,
          pass: ratio <= MAX_P99_VS_FLOOR,
        };
      },
    ),
    check(
      byId.get('distinct-page20@10+20ms'),
      `distinct callers, page20 @10, 20 ms upstream: gateway p50 ≤ direct p50 + ${MAX_P50_OVER_DIRECT_MS} ms`,
      p50OverDirect,
    ),
    {
      target: `gateway peak RSS over the whole run ≤ ${MAX_PEAK_RSS_MB} MB`,
      actual: gatewayPeakRssMb === undefined ? 'not measured' : `${fixed(gatewayPeakRssMb)} MB`,
      pass: gatewayPeakRssMb === undefined ? undefined : gatewayPeakRssMb <= MAX_PEAK_RSS_MB,
    },
    check(
      byId.get('one-token-page20@50'),
      'one token, page20 @50: gateway throughput ≥ 50% of direct',
      (result) => ({
        actual:
          `${fixed(result.throughputRatio * 100)}% (${fixed(result.gateway.opsPerSec, 0)} vs ` +
          `${fixed(result.direct.opsPerSec, 0)} ops/s)`,
        pass: result.throughputRatio >= 0.5,
      }),
    ),
    check(
      byId.get('one-token-page20@10'),
      'one token, page20 @10: gateway p99 ≤ 15 ms',
      (result) => ({
        actual: `${fixed(result.gateway.p99Ms, 2)} ms`,
        pass: result.gateway.p99Ms <= 15,
      }),
    ),
    check(
      byId.get('one-token-page20@10+20ms'),
      `one token, page20 @10, 20 ms upstream: gateway p50 ≤ direct p50 + ${MAX_P50_OVER_DIRECT_MS} ms`,
      p50OverDirect,
    ),
  ];
}
