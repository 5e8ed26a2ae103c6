import { describeCallers } from './callers.js';
import type { ScenarioResult } from './measure.js';
import type { Headline, ServerFacts, TargetCheck } from './targets.js';

/** A number with a fixed precision; a missing one (undefined or NaN) is a dash. */
export function num(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

/** A Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

function containerCell(row: Headline): string {
  const facts = row.limited;
  if (row.kind !== 'gateway') return '';
  if (!facts?.cgroup) return 'not run';
  if (facts.cgroup.oomKills > 0) return '**OOM-killed**';
  if (facts.exitedWith) return `**exited (${facts.exitedWith})**`;
  return `${num(row.limitedVsUnlimited, 2)} of unlimited (peak ${num(facts.cgroup.peakUsageMb, 0)} MB)`;
}

/** Issue 22's table: one row per runtime (and per compared gateway). */
export function renderHeadline(rows: readonly Headline[], memoryLimitMib: number): string {
  return markdownTable(
    [
      'runtime',
      'distinct: CPU ms/req',
      'vs floor',
      'p99 @10 conns (floor)',
      'one token: throughput vs direct',
      '`edges` vs `nodes` CPU',
      memoryLimitMib > 0 ? `${memoryLimitMib} MiB container` : 'memory-limited container',
      'peak RSS',
    ],
    rows.map((row) => [
      row.kind === 'compare' ? `${row.runtime}, gateway B` : row.runtime,
      num(row.cpuMsPerReq, 2),
      `${num(row.cpuVsFloor, 2)}x`,
      `${num(row.p99At10Ms, 1)} ms (${num(row.floorP99At10Ms, 1)})`,
      num(row.oneTokenVsDirect, 2),
      num(row.edgesVsNodesCpu, 2),
      containerCell(row),
      `${num(row.peakRssMb, 0)} MB`,
    ]),
  );
}

/** The targets: one row per target, one column per runtime, PASS/FAIL with the measure. */
export function renderTargets(checks: readonly TargetCheck[]): string {
  const runtimes = [...new Set(checks.map((check) => check.runtime))];
  const targets = [...new Set(checks.map((check) => check.target))];
  const cell = (check: TargetCheck | undefined) =>
    !check || check.pass === undefined
      ? `n/a (${check?.actual ?? 'not run'})`
      : `${check.pass ? 'PASS' : '**FAIL**'} ${check.actual}`;
  return markdownTable(
    ['target', ...runtimes],
    targets.map((target) => [
      target,
      ...runtimes.map((runtime) =>
        cell(checks.find((check) => check.target === target && check.runtime === runtime)),
      ),
    ]),
  );
}

/** Every side of every scenario: what the headline is computed from. */
export function renderDetails(results: readonly ScenarioResult[]): string {
  const rows = results.flatMap((result) =>
    [['direct', result.direct] as const, ...Object.entries(result.servers)].map(([side, r]) => [
      `${describeCallers(result.callers)}, \`${result.shape}\`, ${result.connections} conns`,
      side,
      num(r.opsPerSec, 0),
      `${num(r.p50Ms, 2)} / ${num(r.p99Ms, 2)}`,
      num(r.cpuMsPerOp, 3),
      num(r.upstreamCallsPerOp, 2),
      num(r.peakRssMb, 0),
      String(r.failures),
      `${num(r.driverCores, 2)} / ${num(r.otherCores, 2)}`,
    ]),
  );
  return markdownTable(
    [
      'scenario',
      'side',
      'ops/s',
      'p50 / p99 ms',
      'CPU ms/op',
      'upstream calls/op',
      'peak RSS MB',
      'failed',
      'driver / other CPU (cores)',
    ],
    rows,
  );
}

/** Each server's memory: at start, peak over the run, and the cgroup's view of the limited one. */
export function renderMemory(servers: Readonly<Record<string, ServerFacts>>): string {
  return markdownTable(
    ['server', 'RSS at start MB', 'peak RSS MB (whole run)', 'cgroup peak MB', 'ended'],
    Object.entries(servers).map(([id, facts]) => [
      id,
      num(facts.startRssMb, 0),
      num(facts.peakRssMb, 0),
      facts.cgroup
        ? `${num(facts.cgroup.peakUsageMb, 0)} of ${facts.cgroup.limitMib} MiB` +
          (facts.cgroup.oomKills > 0 ? `, ${facts.cgroup.oomKills} OOM kill(s)` : '')
        : '',
      facts.exitedWith ?? 'ran to the end',
    ]),
  );
}
