import type { FakeAuthentik } from '../src/fake-authentik/index.js';
import { runLoad } from './load.js';
import type { LoadOptions } from './load.js';
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
  durationS: number;
  /** Unmeasured load before each measured run, so both sides start equally warm. */
  settleS: number;
}

const MB = 1024 * 1024;

/** Loads one scenario's direct baseline, then the gateway, back to back. */
export async function measureScenario(
  context: MeasureContext,
  scenario: Scenario,
): Promise<ScenarioResult> {
  const { fake, gateway } = context;
  fake.setOptions({ latencyMs: scenario.upstreamLatencyMs });
  try {
    const directCalls = await probeUpstreamCalls(gateway.url, scenario.operation.query, fake);
    const headers = { authorization: AUTHORIZATION, accept: 'application/json' };
    const direct = await measureSide(context, {
      url: fake.url,
      sequence: directCalls.map((path) => ({ method: 'GET', path, headers })),
      connections: scenario.connections,
      durationS: context.durationS,
    });
    const measured = await measureSide(
      context,
      {
        url: gateway.url,
        sequence: [graphqlRequest(scenario.operation.query)],
        connections: scenario.connections,
        durationS: context.durationS,
      },
      gateway.pid,
    );
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

// One measured run; `gatewayPid` set means the gateway is the target (CPU and RSS are its own).
async function measureSide(
  context: MeasureContext,
  load: LoadOptions,
  gatewayPid?: number,
): Promise<SideResult> {
  if (context.settleS > 0) {
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
  const calls = counter.stop();
  const peakRss = rss?.stop();
  const side: SideResult = {
    opsPerSec: result.opsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    meanMs: result.meanMs,
    ops: result.ops,
    failures: result.failures,
    durationS: result.durationS,
    upstreamCallsPerOp: calls / Math.max(1, result.ops),
  };
  if (used.driverMs !== undefined) side.driverCores = used.driverMs / used.wallMs;
  if (used.othersMs !== undefined) side.otherCores = used.othersMs / used.wallMs;
  if (gatewayPid !== undefined && used.gatewayMs !== undefined) {
    side.cpuMsPerOp = used.gatewayMs / Math.max(1, result.ops);
  }
  if (peakRss !== undefined) side.peakRssMb = peakRss / MB;
  return side;
}
