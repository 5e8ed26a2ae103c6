/**
 * The headline per runtime (issue 22's columns) and its targets, from one run's results. Every
 * ratio compares servers loaded in turn in the same run, which other load on the machine skews
 * far less than absolute numbers.
 */
import type { ScenarioResult, SideResult } from './measure.js';
import type { ServerKind } from './scenarios.js';

/** Gateway CPU per request at most this multiple of the floor's (distinct callers, 50 conns). */
export const MAX_CPU_VS_FLOOR = 1.5;
/** Gateway p99 at 10 connections at most this multiple of the floor's (distinct callers). */
export const MAX_P99_VS_FLOOR = 1.5;
/** One token for every request: gateway throughput at least this share of direct's. */
export const MIN_ONE_TOKEN_VS_DIRECT = 0.85;
/** `edges` and `nodes` CPU per request at most this far apart (a fraction). */
export const MAX_SHAPE_SPREAD = 0.1;
/** Under the memory limit: at least this share of the unlimited gateway's throughput. */
export const MIN_LIMITED_VS_UNLIMITED = 0.9;

/** What the report knows of each server (run.ts): its memory and how it ended. */
export interface ServerFacts {
  runtime: string;
  kind: ServerKind;
  startRssMb?: number;
  /** VmHWM when the run ended: the peak over the whole run, warm-up included. */
  peakRssMb?: number;
  /** The limited gateway: its cgroup's limit and peak use, and OOM kills. */
  cgroup?: { limitMib: number; peakUsageMb: number; oomKills: number };
  /** Set when the process exited before the end of the run: `SIGKILL`, `exit 1`. */
  exitedWith?: string;
}

/** One row of the headline table: one gateway on one runtime. */
export interface Headline {
  runtime: string;
  /** `gateway`, or `compare` for the A/B gateway. */
  kind: ServerKind;
  cpuMsPerReq?: number;
  floorCpuMsPerReq?: number;
  cpuVsFloor?: number;
  p99At10Ms?: number;
  floorP99At10Ms?: number;
  p99VsFloor?: number;
  oneTokenVsDirect?: number;
  edgesVsNodesCpu?: number;
  /** The limited gateway's throughput over the unlimited one's (distinct callers, 50 conns). */
  limitedVsUnlimited?: number;
  limited?: ServerFacts;
  peakRssMb?: number;
}

type Servers = Record<string, ServerFacts>;

// The side of a scenario that a runtime's server of one kind loaded.
function sideOf(
  results: readonly ScenarioResult[],
  servers: Servers,
  scenarioId: string,
  runtime: string,
  kind: ServerKind,
): SideResult | undefined {
  const result = results.find((candidate) => candidate.id === scenarioId);
  const id = Object.keys(servers).find(
    (server) => servers[server]!.runtime === runtime && servers[server]!.kind === kind,
  );
  return id === undefined ? undefined : result?.servers[id];
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;

/** The headline rows: per runtime its gateway, then the compared gateway when there is one. */
export function headlines(results: readonly ScenarioResult[], servers: Servers): Headline[] {
  const runtimes = [...new Set(Object.values(servers).map((server) => server.runtime))];
  const kinds: ServerKind[] = ['gateway', 'compare'];
  return runtimes.flatMap((runtime) =>
    kinds.flatMap((kind) => {
      const facts = Object.values(servers).find((s) => s.runtime === runtime && s.kind === kind);
      if (!facts) return [];
      const side = (scenario: string, of: ServerKind = kind) =>
        sideOf(results, servers, scenario, runtime, of);
      const at50 = side('distinct-nodes@50');
      const floor50 = side('distinct-nodes@50', 'floor');
      const at10 = side('distinct-nodes@10');
      const floor10 = side('distinct-nodes@10', 'floor');
      const oneToken = results.find((result) => result.id === 'one-token-nodes@50');
      const limited = Object.values(servers).find(
        (s) => s.runtime === runtime && s.kind === 'limited',
      );
      return [
        {
          runtime,
          kind,
          cpuMsPerReq: at50?.cpuMsPerOp,
          floorCpuMsPerReq: floor50?.cpuMsPerOp,
          cpuVsFloor: ratio(at50?.cpuMsPerOp, floor50?.cpuMsPerOp),
          p99At10Ms: at10?.p99Ms,
          floorP99At10Ms: floor10?.p99Ms,
          p99VsFloor: ratio(at10?.p99Ms, floor10?.p99Ms),
          oneTokenVsDirect: ratio(
            side('one-token-nodes@50')?.opsPerSec,
            oneToken?.direct.opsPerSec,
          ),
          edgesVsNodesCpu: ratio(side('distinct-edges@50')?.cpuMsPerOp, at50?.cpuMsPerOp),
          ...(kind === 'gateway' && limited
            ? {
                limited,
                limitedVsUnlimited: ratio(
                  side('distinct-nodes@50', 'limited')?.opsPerSec,
                  at50?.opsPerSec,
                ),
              }
            : {}),
          peakRssMb: facts.peakRssMb,
        },
      ];
    }),
  );
}

/** One target on one runtime: PASS, FAIL or not measured (`pass` undefined). */
export interface TargetCheck {
  target: string;
  runtime: string;
  actual: string;
  pass: boolean | undefined;
}

const x = (value: number | undefined, digits = 2) =>
  value === undefined ? 'not measured' : `${value.toFixed(digits)}x`;

// A check of an optional measure: not measured when it is missing.
function check(
  target: string,
  runtime: string,
  value: number | undefined,
  pass: (value: number) => boolean,
  actual: (value: number) => string,
): TargetCheck {
  return value === undefined || Number.isNaN(value)
    ? { target, runtime, actual: 'not measured', pass: undefined }
    : { target, runtime, actual: actual(value), pass: pass(value) };
}

/**
 * Issue 22's targets for each runtime's gateway (the compared gateway is not held to them);
 * `memoryLimitMib` names the container target (0: it was not run).
 */
export function checkTargets(rows: readonly Headline[], memoryLimitMib: number): TargetCheck[] {
  return rows
    .filter((row) => row.kind === 'gateway')
    .flatMap((row) => {
      const { runtime } = row;
      // A ratio to the floor's, shown with both sides.
      const vsFloor = (target: string, value: number | undefined, limit: number, sides: string) =>
        check(
          target,
          runtime,
          value,
          (v) => v <= limit,
          (v) => `${x(v)} (${sides})`,
        );
      return [
        vsFloor(
          `distinct callers: CPU per request ≤ ${MAX_CPU_VS_FLOOR}x the floor's`,
          row.cpuVsFloor,
          MAX_CPU_VS_FLOOR,
          `${row.cpuMsPerReq?.toFixed(2)} vs ${row.floorCpuMsPerReq?.toFixed(2)} ms`,
        ),
        vsFloor(
          `distinct callers: p99 at 10 connections ≤ ${MAX_P99_VS_FLOOR}x the floor's`,
          row.p99VsFloor,
          MAX_P99_VS_FLOOR,
          `${row.p99At10Ms?.toFixed(1)} vs ${row.floorP99At10Ms?.toFixed(1)} ms`,
        ),
        check(
          `one token: throughput ≥ ${MIN_ONE_TOKEN_VS_DIRECT} of direct`,
          runtime,
          row.oneTokenVsDirect,
          (value) => value >= MIN_ONE_TOKEN_VS_DIRECT,
          (value) => value.toFixed(2),
        ),
        check(
          `\`edges\` and \`nodes\` CPU within ${MAX_SHAPE_SPREAD * 100}%`,
          runtime,
          row.edgesVsNodesCpu,
          (value) => Math.abs(value - 1) <= MAX_SHAPE_SPREAD,
          (value) => `edges/nodes ${value.toFixed(2)}`,
        ),
        limitedCheck(row, memoryLimitMib),
      ];
    });
}

function limitedCheck(row: Headline, limitMib: number): TargetCheck {
  const target =
    `${limitMib > 0 ? `${limitMib} MiB` : 'memory-limited'} container: not OOM-killed, ` +
    `≥ ${MIN_LIMITED_VS_UNLIMITED} of unlimited throughput`;
  const facts = row.limited;
  if (!facts?.cgroup) {
    const why = limitMib > 0 ? 'no memory cgroup (see the log)' : 'BENCH_MEMORY_LIMIT_MIB=0';
    return { target, runtime: row.runtime, actual: `not run: ${why}`, pass: undefined };
  }
  const killed = facts.cgroup.oomKills > 0 || facts.exitedWith !== undefined;
  if (killed) {
    const how = facts.cgroup.oomKills > 0 ? 'OOM-killed' : `exited (${facts.exitedWith})`;
    return { target, runtime: row.runtime, actual: how, pass: false };
  }
  return check(
    target,
    row.runtime,
    row.limitedVsUnlimited,
    (value) => value >= MIN_LIMITED_VS_UNLIMITED,
    (value) => `${value.toFixed(2)} of unlimited, peak ${facts.cgroup!.peakUsageMb.toFixed(0)} MB`,
  );
}
