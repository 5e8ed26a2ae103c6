import { describeCallers } from './callers.js';
import type { ScenarioResult } from './measure.js';
import type { TargetCheck } from './targets.js';

const HEADER = [
  'scenario',
  'callers',
  'conns',
  'upstream latency',
  'direct ops/s',
  'gateway ops/s',
  'gateway/direct',
  'direct p50 / p99 ms',
  'gateway p50 / p99 ms',
  'upstream calls/op',
  'gateway CPU ms/op',
  'gateway peak RSS MB',
  'driver / other CPU (cores)',
];

/** A number with a fixed precision; a missing one (undefined or NaN) is a dash. */
export function num(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

/** One row of a Markdown table. */
export function markdownRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** The results as a Markdown table, one row per scenario, direct and gateway side by side. */
export function renderResultsTable(results: readonly ScenarioResult[]): string {
  const rows = results.map((result) => {
    const { direct, gateway } = result;
    const failed = direct.failures + gateway.failures;
    const driver = Math.max(direct.driverCores ?? 0, gateway.driverCores ?? 0);
    const others = Math.max(direct.otherCores ?? 0, gateway.otherCores ?? 0);
    return markdownRow([
      failed > 0 ? `${result.operation} (${failed} failed)` : result.operation,
      describeCallers(result.callers),
      String(result.connections),
      `${result.upstreamLatencyMs} ms`,
      num(direct.opsPerSec, 0),
      num(gateway.opsPerSec, 0),
      `${num(result.throughputRatio * 100, 0)}%`,
      `${num(direct.p50Ms, 2)} / ${num(direct.p99Ms, 2)}`,
      `${num(gateway.p50Ms, 2)} / ${num(gateway.p99Ms, 2)}`,
      num(gateway.upstreamCallsPerOp, 2),
      num(gateway.cpuMsPerOp, 2),
      num(gateway.peakRssMb, 0),
      `${num(driver, 2)} / ${num(others, 2)}`,
    ]);
  });
  return [markdownRow(HEADER), markdownRow(HEADER.map(() => '---')), ...rows].join('\n');
}

const FLOOR_HEADER = [
  'scenario',
  'callers',
  'conns',
  'upstream latency',
  'floor ops/s',
  'gateway ops/s',
  'gateway/floor ops/s',
  'floor p50 / p99 ms',
  'gateway p50 / p99 ms',
  'gateway/floor p99',
  'floor CPU ms/op',
  'gateway CPU ms/op',
  'gateway/floor CPU/op',
  'floor peak RSS MB',
  'gateway p50 − direct p50 ms',
];

/**
 * The scenarios that loaded the floor: floor and gateway side by side, and the gateway as a
 * multiple of the floor (CPU per operation, throughput, p99), all from the same run.
 */
export function renderFloorTable(results: readonly ScenarioResult[]): string {
  const rows = results.flatMap((result) => {
    const { floor, gateway, vsFloor } = result;
    if (!floor || !vsFloor) return [];
    return [
      markdownRow([
        floor.failures > 0 ? `${result.operation} (${floor.failures} failed)` : result.operation,
        describeCallers(result.callers),
        String(result.connections),
        `${result.upstreamLatencyMs} ms`,
        num(floor.opsPerSec, 0),
        num(gateway.opsPerSec, 0),
        `${num(vsFloor.throughput, 2)}×`,
        `${num(floor.p50Ms, 2)} / ${num(floor.p99Ms, 2)}`,
        `${num(gateway.p50Ms, 2)} / ${num(gateway.p99Ms, 2)}`,
        `${num(vsFloor.p99, 2)}×`,
        num(floor.cpuMsPerOp, 2),
        num(gateway.cpuMsPerOp, 2),
        `${num(vsFloor.cpuPerOp, 2)}×`,
        num(floor.peakRssMb, 0),
        `${result.p50OverDirectMs >= 0 ? '+' : ''}${num(result.p50OverDirectMs, 2)}`,
      ]),
    ];
  });
  if (rows.length === 0) return '';
  return [markdownRow(FLOOR_HEADER), markdownRow(FLOOR_HEADER.map(() => '---')), ...rows].join(
    '\n',
  );
}

/** The targets as a Markdown table with PASS/FAIL (n/a when the scenario was not run). */
export function renderTargets(checks: readonly TargetCheck[]): string {
  const rows = checks.map((check) =>
    markdownRow([
      check.pass === undefined ? 'n/a' : check.pass ? 'PASS' : 'FAIL',
      check.target,
      check.actual,
    ]),
  );
  return [
    markdownRow(['', 'target', 'this run']),
    markdownRow(['---', '---', '---']),
    ...rows,
  ].join('\n');
}
