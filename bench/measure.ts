import type { FakeAuthentik } from '../src/fake-authentik/index.js';
import { percentile, runLoad } from './load.js';
import type { LoadOptions, LoadResult } from './load.js';
import { AUTHORIZATION, graphqlRequest, probeUpstreamCalls } from './probe.js';
import { sampleRss, watchCpu } from './proc-stats.js';
import type { GatewayProcess } from './processes.js';
import type { Scenario } from './scenarios.js';
import { countUpstreamCalls, waitUntilUpstreamQuiet } from './upstream-counter.js';

/** One side (direct or gateway) of one scenario. */
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
  /** Gateway only: its user+system CPU time per operation. */
  cpuMsPerOp?: number;
  /** Gateway only: the largest resident set sampled during the run, in MB. */
  peakRssMb?: number;
}

export interface ScenarioResult {
  id: string;
  operation: string;
  connections: number;
  upstreamLatencyMs: number;
  /** The direct baseline's requests for one operation (recorded from the gateway's calls). */
  directCalls: string[];
  direct: SideResult;
  gateway: SideResult;
  /** Gateway ops/s ÷ direct ops/s. */
  throughputRatio: number;
}

export interface MeasureContext {
  fake: FakeAuthentik;
  gateway: GatewayProcess;
  /** Measured time per side, split into `rounds` alternating runs. */
  durationS: number;
  /** Direct and gateway take turns this many times, so drift on the machine hits both alike. */
  rounds: number;
  /** Unmeasured load before each measured run, so both sides start equally warm. */
  settleS: number;
}

const MB = 1024 * 1024;

/**
 * Loads one scenario: the direct baseline and the gateway take turns (`rounds` runs each of
 * durationS / rounds), and each side's runs are added up.
 */
export async function measureScenario(
  context: MeasureContext,
  scenario: Scenario,
): Promise<ScenarioResult> {
  const { fake, gateway } = context;
  fake.setOptions({ latencyMs: scenario.upstreamLatencyMs });
  try {
    const directCalls = await probeUpstreamCalls(gateway.url, scenario.operation.query, fake);
    const headers = { authorization: AUTHORIZATION, accept: 'application/json' };
    const durationS = context.durationS / context.rounds;
    const directLoad: LoadOptions = {
      url: fake.url,
      sequence: directCalls.map((path) => ({ method: 'GET', path, headers })),
      connections: scenario.connections,
      durationS,
    };
    const gatewayLoad: LoadOptions = {
      url: gateway.url,
      sequence: [graphqlRequest(scenario.operation.query)],
      connections: scenario.connections,
      durationS,
    };
    const directRuns: SideRun[] = [];
    const gatewayRuns: SideRun[] = [];
    for (let round = 0; round < context.rounds; round++) {
      const settle = round === 0;
      directRuns.push(await measureSide(context, directLoad, settle));
      gatewayRuns.push(await measureSide(context, gatewayLoad, settle, gateway.pid));
    }
    const direct = combine(directRuns);
    const measured = combine(gatewayRuns);
    return {
      id: scenario.id,
      operation: scenario.operation.id,
      connections: scenario.connections,
      upstreamLatencyMs: scenario.upstreamLatencyMs,
      directCalls,
      direct,
      gateway: measured,
      throughputRatio: measured.opsPerSec / direct.opsPerSec,
    };
  } finally {
    fake.setOptions({ latencyMs: 0 });
  }
}

/** One measured run of one side, with what it used. */
interface SideRun {
  load: LoadResult;
  calls: number;
  wallMs: number;
  driverMs?: number;
  othersMs?: number;
  gatewayMs?: number;
  peakRssBytes?: number;
}

// One measured run; `gatewayPid` set means the gateway is the target (CPU and RSS are its own).
async function measureSide(
  context: MeasureContext,
  load: LoadOptions,
  settle: boolean,
  gatewayPid?: number,
): Promise<SideRun> {
  if (settle && context.settleS > 0) {
    const settling = countUpstreamCalls(context.fake);
    await runLoad({ ...load, durationS: context.settleS });
    settling.stop();
  }
  await waitUntilUpstreamQuiet(context.fake);
  const counter = countUpstreamCalls(context.fake);
  const cpu = watchCpu(context.gateway.pid);
  const rss = gatewayPid === undefined ? undefined : sampleRss(gatewayPid);
  const result = await runLoad(load);
  const used = cpu.stop();
  return {
    load: result,
    calls: counter.stop(),
    wallMs: used.wallMs,
    driverMs: used.driverMs,
    othersMs: used.othersMs,
    gatewayMs: gatewayPid === undefined ? undefined : used.gatewayMs,
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
  const gatewayMs = sum((run) => run.gatewayMs);
  if (driverMs !== undefined) side.driverCores = driverMs / wallMs;
  if (othersMs !== undefined) side.otherCores = othersMs / wallMs;
  if (gatewayMs !== undefined) side.cpuMsPerOp = gatewayMs / Math.max(1, ops);
  const peaks = runs.map((run) => run.peakRssBytes).filter((peak) => peak !== undefined);
  if (peaks.length > 0) side.peakRssMb = Math.max(...peaks) / MB;
  return side;
}
