import type { FakeAuthentik } from '../src/fake-authentik/server.js';
import { withCallerTokens } from './callers.js';
import { percentile, runLoad } from './load.js';
import type { LoadOptions, LoadResult } from './load.js';
import { graphqlRequest, probeUpstreamCalls } from './probe.js';
import { sampleRss, watchCpu } from './proc-stats.js';
import type { Callers } from './callers.js';
import { QUERIES } from './scenarios.js';
import type { Scenario, Shape } from './scenarios.js';
import type { BenchServer } from './servers.js';
import { countUpstreamCalls, waitUntilUpstreamQuiet } from './upstream-counter.js';

/** One side (direct, or one server) of one scenario. */
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
  /** Servers: the process's user+system CPU time per operation. */
  cpuMsPerOp?: number;
  /** Servers: the largest resident set sampled during the runs, in MB. */
  peakRssMb?: number;
}

/** One scenario: the direct baseline and every server it loaded. */
export interface ScenarioResult {
  id: string;
  callers: Callers;
  shape: Shape;
  connections: number;
  /** The direct baseline's requests for one operation (recorded from the gateway's calls). */
  directCalls: string[];
  direct: SideResult;
  /** By server id (servers.ts). */
  servers: Record<string, SideResult>;
}

export interface MeasureContext {
  fake: FakeAuthentik;
  /** The servers; each scenario loads those of the kinds it names. */
  servers: readonly BenchServer[];
  /** Measured time per side, split into `rounds` alternating runs. */
  durationS: number;
  /** The sides take turns this many times, so drift on the machine hits all alike. */
  rounds: number;
  /** Unmeasured load before each side's first measured run, so all start equally warm. */
  settleS: number;
}

const MB = 1024 * 1024;

/**
 * Loads one scenario: the direct baseline and each of the scenario's servers take turns
 * (`rounds` runs each of durationS / rounds), and each side's runs are added up. A server that
 * has exited (killed by the OOM killer, say) is left out of the turns that follow.
 */
export async function measureScenario(
  context: MeasureContext,
  scenario: Scenario,
): Promise<ScenarioResult> {
  const { fake } = context;
  const servers = context.servers.filter((server) => scenario.loads.includes(server.kind));
  const query = QUERIES[scenario.shape];
  const probeVia = servers.find((server) => server.kind === 'gateway')!;
  const directCalls = await probeUpstreamCalls(probeVia.process.url, query, fake);
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
  const request = [graphqlRequest(query)];
  const direct: SideRun[] = [];
  const runs = new Map<BenchServer, SideRun[]>(servers.map((server) => [server, []]));
  for (let round = 0; round < context.rounds; round++) {
    const settle = round === 0;
    direct.push(await measureSide(context, directLoad, settle));
    for (const server of servers) {
      if (server.process.exit()) continue;
      runs
        .get(server)!
        .push(await measureSide(context, load(server.process.url, request), settle, server));
    }
  }
  return {
    id: scenario.id,
    callers: scenario.callers,
    shape: scenario.shape,
    connections: scenario.connections,
    directCalls,
    direct: combine(direct),
    servers: Object.fromEntries(servers.map((server) => [server.id, combine(runs.get(server)!)])),
  };
}

/** The tokens a traffic shape sends: the superuser's many, or its one. */
export function callerTokens(fake: FakeAuthentik, callers: Callers): readonly string[] {
  if (callers === 'one-token') return [fake.tokens.admin];
  if (fake.tokens.extraAdmin.length === 0) {
    throw new Error('distinct callers need a fake started with extraAdminTokens');
  }
  return fake.tokens.extraAdmin;
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
  server?: BenchServer,
): Promise<SideRun> {
  if (settle && context.settleS > 0) {
    const settling = countUpstreamCalls(context.fake);
    await runLoad({ ...load, durationS: context.settleS });
    settling.stop();
  }
  await waitUntilUpstreamQuiet(context.fake);
  const counter = countUpstreamCalls(context.fake);
  const cpu = watchCpu(server?.process.pid);
  const rss = server === undefined ? undefined : sampleRss(server.process.pid);
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
    opsPerSec: durationS > 0 ? ops / durationS : 0,
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
  if (runs.length === 0) return side;
  if (driverMs !== undefined) side.driverCores = driverMs / wallMs;
  if (othersMs !== undefined) side.otherCores = othersMs / wallMs;
  if (serverMs !== undefined && ops > 0) side.cpuMsPerOp = serverMs / ops;
  const peaks = runs.map((run) => run.peakRssBytes).filter((peak) => peak !== undefined);
  if (peaks.length > 0) side.peakRssMb = Math.max(...peaks) / MB;
  return side;
}
