import type { ScenarioResult } from './measure.js';

/** One performance target and how this run did against it (`pass` undefined: not measured). */
export interface TargetCheck {
  target: string;
  actual: string;
  pass: boolean | undefined;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

/**
 * The targets: on a 20-row page over a zero-latency upstream, the gateway serves at
 * least half the direct throughput at 50 connections and a p99 of at most 15 ms at 10; its
 * resident set stays at or under 150 MB; and with 20 ms of upstream latency at 10 connections
 * its median is at most 2 ms above the direct median.
 */
export function checkTargets(
  results: readonly ScenarioResult[],
  gatewayPeakRssMb: number | undefined,
): TargetCheck[] {
  const byId = new Map(results.map((result) => [result.id, result]));
  const at50 = byId.get('page20@50');
  const at10 = byId.get('page20@10');
  const slow = byId.get('page20@10+20ms');
  return [
    {
      target: 'page20 @50 conns: gateway throughput ≥ 50% of direct',
      actual: at50
        ? `${fixed(at50.throughputRatio * 100)}% (${fixed(at50.gateway.opsPerSec, 0)} vs ${fixed(at50.direct.opsPerSec, 0)} ops/s)`
        : 'not run',
      pass: at50 ? at50.throughputRatio >= 0.5 : undefined,
    },
    {
      target: 'page20 @10 conns: gateway p99 ≤ 15 ms',
      actual: at10 ? `${fixed(at10.gateway.p99Ms, 2)} ms` : 'not run',
      pass: at10 ? at10.gateway.p99Ms <= 15 : undefined,
    },
    {
      target: 'gateway peak RSS ≤ 150 MB',
      actual: gatewayPeakRssMb === undefined ? 'not measured' : `${fixed(gatewayPeakRssMb)} MB`,
      pass: gatewayPeakRssMb === undefined ? undefined : gatewayPeakRssMb <= 150,
    },
    {
      target: 'page20 @10 conns, 20 ms upstream: gateway p50 ≤ direct p50 + 2 ms',
      actual: slow
        ? `${fixed(slow.gateway.p50Ms, 2)} ms vs ${fixed(slow.direct.p50Ms, 2)} ms (+${fixed(slow.gateway.p50Ms - slow.direct.p50Ms, 2)})`
        : 'not run',
      pass: slow ? slow.gateway.p50Ms <= slow.direct.p50Ms + 2 : undefined,
    },
  ];
}
