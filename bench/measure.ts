import type { FakeAuthentik } from '../src/fake-authentik/index.js';
import { withCallerTokens } from './callers.js';
import { percentile, runLoad } from './load.js';
import type { LoadOptions, LoadResult } from './load.js';
import { graphqlRequest, probeUpstreamCalls } from './probe.js';
import { sampleRss, watchCpu } from './proc-stats.js';
import type { ServerProcess } from './processes.js';
import type { Callers } from './callers.js';
import type { Scenario } from './scenarios.js';
import { countUpstreamCalls, waitUntilUpstreamQuiet } from './upstream-counter.js';

/** One side (direct, floor or gateway) of one scenario. */
export interface SideResult {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  ops: number;
  failures: number;
  durationS: number;
  /** API calls the fake served per completed operation. */
  upstreamCallsPerOp: number;
  /** Cores the bench driver (load generator + fake) kept busy: near 1 means it was the limit. */
  driverCores?: number;
  /** Cores other processes on the machine kept busy meanwhile: the noise. */
  otherCores?: number;
  /** Gateway and floor: the process's user+system CPU time per operation. */
  cpuMsPerOp?: number;
  /** Gateway and floor: the largest resident set sampled during the runs, in MB. */
  peakRssMb?: number;
}

/** The gateway as a multiple of the floor, measured in the same run (1 = as cheap as the floor). */
export interface FloorRatios {
  /** Gateway CPU ms/op ÷ floor CPU ms/op. */
  cpuPerOp: number;
  /** Gateway ops/s ÷ floor ops/s. */
  throughput: number;
  /** Gateway p99 ÷ floor p99. */
  p99: number;
}

export interface ScenarioResult {
  id: string;
  callers: Callers;
  operation: string;
  connections: number;
  upstreamLatencyMs: number;
  /** The direct baseline's requests for one operation (recorded from the gateway's calls). */
  directCalls: string[];
  direct: SideResult;
  gateway: SideResult;
  /** The hand-written proxy (floor-proxy.ts), in scenarios that load it. */
  floor?: SideResult;
  /** Gateway ops/s ÷ direct ops/s. */
  throughputRatio: number;
  /** Gateway p50 − direct p50, in ms. */
  p50OverDirectMs: number;
  vsFloor?: FloorRatios;
}

export interface MeasureContext {
  fake: FakeAuthentik;
  gateway: ServerProcess;
  /** The floor proxy, loaded in the scenarios with `withFloor`. */
  floor?: ServerProcess;
  /** Measured time per side, split into `rounds` alternating runs. */
  durationS: number;
  /** Direct and gateway take turns this many times, so drift on the machine hits both alike. */
  rounds: number;
  /** Unmeasured load before each measured run, so both sides start equally warm. */
  settleS: number;
}

const MB = 1024 * 1024;

/**
 * Loads one scenario: the direct baseline, the floor (when the scenario has it) and the gateway
 * take turns (`rounds` runs each of durationS / rounds), and each side's runs are added up.
 */
export async function measureScenario(
  context: MeasureContext,
  scenario: Scenario,
): Promise<ScenarioResult> {
  const { fake, gateway } = context;
  const floor = scenario.withFloor ? context.floor : undefined;
  fake.setOptions({ latencyMs: scenario.upstreamLatencyMs });
  try {
    const directCalls = await probeUpstreamCalls(gateway.url, scenario.operation.query, fake);
    const tokens = callerTokens(fake, scenario.callers);
    const load = (url: string, sequence: LoadOptions['sequence']): LoadOptions => ({
      url,
      sequence: withCallerTokens(sequence, tokens),
      connections: scenario.connections,
      durationS: context.durationS / context.rounds,
    });
    const accept = 'application/json';
    const directLoad = load(
      fake.url,
      directCalls.map((path) => ({ method: 'GET', path, headers: { accept } })),
    );
    const query = [graphqlRequest(scenario.operation.query)];
    const runs = { direct: [] as SideRun[], floor: [] as SideRun[], gateway: [] as SideRun[] };
    for (let round = 0; round < context.rounds; round++) {
      const settle = round === 0;
      runs.direct.push(await measureSide(context, directLoad, settle));
      if (floor) runs.floor.push(await measureSide(context, load(floor.url, query), settle, floor));
      runs.gateway.push(await measureSide(context, load(gateway.url, query), settle, gateway));
    }
    const direct = combine(runs.direct);
    const measured = combine(runs.gateway);
    const floorSide = floor ? combine(runs.floor) : undefined;
    return {
      id: scenario.id,
      callers: scenario.callers,
      operation: scenario.operation.id,
      connections: scenario.connections,
      upstreamLatencyMs: scenario.upstreamLatencyMs,
      directCalls,
      direct,
      gateway: measured,
      floor: floorSide,
      throughputRatio: measured.opsPerSec / direct.opsPerSec,
      p50OverDirectMs: measured.p50Ms - direct.p50Ms,
      vsFloor: floorSide && ratiosToFloor(measured, floorSide),
    };
  } finally {
    fake.setOptions({ latencyMs: 0 });
  }
}

/** The tokens a traffic shape sends: the superuser's many, or its one. */
export function callerTokens(fake: FakeAuthentik, callers: Callers): readonly string[] {
  if (callers === 'one-token') return [fake.tokens.admin];
  if (fake.tokens.extraAdmin.length === 0) {
    throw new Error('distinct callers need a fake started with extraAdminTokens');
  }
  return fake.tokens.extraAdmin;
}

function ratiosToFloor(gateway: SideResult, floor: SideResult): FloorRatios {
  return {
    cpuPerOp: (gateway.cpuMsPerOp ?? Number.NaN) / (floor.cpuMsPerOp ?? Number.NaN),
    throughput: gateway.opsPerSec / floor.opsPerSec,
    p99: gateway.p99Ms / floor.p99Ms,
  };
}

/** One measured run of one side, with what it used. */
interface SideRun {
  load: LoadResult;
  calls: number;
  wallMs: number;
  driverMs?: number;
  othersMs?: number;
  /** CPU the loaded server (gateway or floor) used; undefined for the direct side. */
  serverMs?: number;
  peakRssBytes?: number;
}

// One measured run; `server` set means it is the target (CPU and RSS are its own), else the fake.
async function measureSide(
  context: MeasureContext,
  load: LoadOptions,
  settle: boolean,
  server?: ServerProcess,
): Promise<SideRun> {
  if (settle && context.settleS > 0) {
    const settling = countUpstreamCalls(context.fake);
    await runLoad({ ...load, durationS: context.settleS });
    settling.stop();
  }
  await waitUntilUpstreamQuiet(context.fake);
  const counter = countUpstreamCalls(context.fake);
  const cpu = watchCpu(server?.pid);
  const rss = server === undefined ? undefined : sampleRss(server.pid);
  const result = await runLoad(load);
  const used = cpu.stop();
  return {
    load: result,
    calls: counter.stop(),
    wallMs: used.wallMs,
    driverMs: used.driverMs,
    othersMs: used.othersMs,
    serverMs: used.serverMs,
    peakRssBytes: rss?.stop(),
  };
}

// Adds up a side's runs: operations and time, every latency, CPU per operation, the peak RSS.
function combine(runs: readonly SideRun[]): SideResult {
  const sum = (pick: (run: SideRun) => number | undefined) =>
    runs.some((run) => pick(run) === undefined)
      ? undefined
      : runs.reduce((total, run) => total + pick(run)!, 0);
  const latencies = Float64Array.from(runs.flatMap((run) => [...run.load.latencies])).sort();
  const ops = latencies.length;
  const durationS = sum((run) => run.load.durationS)!;
  const wallMs = sum((run) => run.wallMs)!;
  const side: SideResult = {
    opsPerSec: ops / durationS,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    meanMs: latencies.reduce((total, value) => total + value, 0) / Math.max(1, ops),
    ops,
    failures: sum((run) => run.load.failures)!,
    durationS,
    upstreamCallsPerOp: sum((run) => run.calls)! / Math.max(1, ops),
  };
  const driverMs = sum((run) => run.driverMs);
  const othersMs = sum((run) => run.othersMs);
  const serverMs = sum((run) => run.serverMs);
  if (driverMs !== undefined) side.driverCores = driverMs / wallMs;
  if (othersMs !== undefined) side.otherCores = othersMs / wallMs;
  if (serverMs !== undefined) side.cpuMsPerOp = serverMs / Math.max(1, ops);
  const peaks = runs.map((run) => run.peakRssBytes).filter((peak) => peak !== undefined);
  if (peaks.length > 0) side.peakRssMb = Math.max(...peaks) / MB;
  return side;
}
