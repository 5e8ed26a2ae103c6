/**
 * `npm run bench`: the gateway's cost on top of its upstream, for two traffic shapes (callers.ts:
 * many callers with a token each, and one token for everything). Starts the fake authentik in
 * this process, and the built gateway and the floor proxy (floor-proxy.ts: the same job without
 * GraphQL) as their own processes, pinned to one core (the driver takes the other, where taskset
 * allows). Warms up, then for each scenario loads the fake's REST API directly, the floor and the
 * gateway in turn. Prints Markdown tables and the targets, and writes everything to
 * bench/results/latest.json. Settings: see settings.ts; `--profile <ids>` profiles the gateway.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { startFakeAuthentik } from '../src/fake-authentik/index.js';
import type { FakeAuthentik } from '../src/fake-authentik/index.js';
import { DISTINCT_CALLER_TOKENS, withCallerTokens } from './callers.js';
import { buildFloorProxy, page20UpstreamCall, startFloor } from './floor-build.js';
import { runLoad } from './load.js';
import { callerTokens, measureScenario } from './measure.js';
import type { ScenarioResult } from './measure.js';
import { graphqlRequest } from './probe.js';
import { processMemory } from './proc-stats.js';
import {
  DRIVER_CORE,
  GATEWAY_CORE,
  ROOT,
  buildGateway,
  canPinToCores,
  pinThisProcess,
  startServerProcess,
} from './processes.js';
import type { ServerProcess } from './processes.js';
import { summariseGatewayProfile } from './profile-report.js';
import { describeMachine, gitCommit, renderReport, writeReport } from './report.js';
import type { BenchReport, ServerMemory } from './report.js';
import { OPERATIONS, defaultScenarios, matchesScenario } from './scenarios.js';
import type { Scenario } from './scenarios.js';
import { readSettings } from './settings.js';
import type { BenchSettings } from './settings.js';
import { checkTargets } from './targets.js';
import { countUpstreamCalls } from './upstream-counter.js';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const MB = 1024 * 1024;

async function main(): Promise<void> {
  const settings = readSettings();
  const scenarios = defaultScenarios().filter(
    (scenario) =>
      settings.only.length === 0 ||
      settings.only.some((selector) => matchesScenario(scenario.id, selector)),
  );
  if (scenarios.length === 0) {
    throw new Error(`BENCH_ONLY matches no scenario: ${settings.only.join(', ')}`);
  }
  const withFloor = scenarios.some((scenario) => scenario.withFloor);

  const pinned = canPinToCores() && pinThisProcess(DRIVER_CORE);
  log(
    pinned
      ? `pinned: gateway and floor on core ${GATEWAY_CORE}, load generator + fake on core ${DRIVER_CORE}`
      : 'taskset or a second core is missing: running unpinned (numbers are less stable)',
  );
  // Taken before the build: the tree may change while the bench runs.
  const commit = gitCommit();
  if (!settings.gatewayEntry) log('building the gateway (tsc -p tsconfig.build.json)');
  const entry = settings.gatewayEntry ?? buildGateway();
  const floorEntry = withFloor ? buildFloorProxy() : undefined;
  const fake = await startFakeAuthentik({
    host: '127.0.0.1',
    extraAdminTokens: DISTINCT_CALLER_TOKENS,
  });
  const core = pinned ? GATEWAY_CORE : undefined;
  const gateway = await startServerProcess({
    entry,
    upstreamUrl: fake.url,
    core,
    stdoutFile: settings.gatewayStdout,
    nodeArgs: [
      ...(settings.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfileDir] : []),
      ...settings.gatewayNodeArgs,
    ],
  });
  const gatewayMemory: ServerMemory = { startRssMb: rssMb(gateway) };
  const floorMemory: ServerMemory = {};
  let floor: ServerProcess | undefined;
  const startedAt = new Date().toISOString();
  const machine = describeMachine(pinned);
  const results: ScenarioResult[] = [];
  try {
    if (floorEntry) {
      // The floor makes the gateway's upstream call for page20: recorded from the gateway.
      const upstreamPath = await page20UpstreamCall(gateway, fake);
      log(`starting the floor proxy (one GET ${upstreamPath} per request)`);
      floor = await startFloor({
        entry: floorEntry,
        upstreamUrl: fake.url,
        upstreamPath,
        core,
        nodeArgs: settings.gatewayNodeArgs,
      });
      floorMemory.startRssMb = rssMb(floor);
    }
    await warmUp(settings, scenarios, fake, gateway, floor);
    for (const scenario of scenarios) {
      log(
        `${scenario.id}: direct${scenario.withFloor ? ', floor' : ''} and gateway in turn, ` +
          `${settings.rounds} × ${(settings.durationS / settings.rounds).toFixed(1)} s each`,
      );
      const result = await measureScenario({ fake, gateway, floor, ...settings }, scenario);
      log(
        `${scenario.id}: direct ${result.direct.opsPerSec.toFixed(0)} ops/s, ` +
          (result.floor ? `floor ${result.floor.opsPerSec.toFixed(0)} ops/s, ` : '') +
          `gateway ${result.gateway.opsPerSec.toFixed(0)} ops/s ` +
          `(p99 ${result.gateway.p99Ms.toFixed(2)} ms, ${result.gateway.cpuMsPerOp?.toFixed(2)} CPU ms/op)`,
      );
      results.push(result);
    }
    gatewayMemory.peakRssMb = peakRssMb(gateway);
    if (floor) floorMemory.peakRssMb = peakRssMb(floor);
  } finally {
    await floor?.stop();
    await gateway.stop();
    await fake.close();
  }

  machine.loadAverageAtEnd = loadavg();
  const { outFile, ...reported } = settings;
  const report: BenchReport = {
    startedAt,
    commit,
    machine,
    settings: { ...reported, gatewayEntry: path.relative(ROOT, entry) },
    gatewayPeakRssMb: gatewayMemory.peakRssMb,
    memory: { gateway: gatewayMemory, floor: floor ? floorMemory : undefined },
    gatewayStderr: gateway.stderr,
    results,
    targets: checkTargets(results, gatewayMemory.peakRssMb),
  };
  writeReport(report, outFile);
  console.log(renderReport(report));
  console.log(`\nwritten to ${path.relative(process.cwd(), outFile)}`);
  if (settings.cpuProfileDir) {
    console.log(`\n${summariseGatewayProfile(settings.cpuProfileDir, gateway.pid)}`);
  }
}

const rssMb = (server: ServerProcess) => {
  const memory = processMemory(server.pid);
  return memory && memory.rssBytes / MB;
};
const peakRssMb = (server: ServerProcess) => {
  const memory = processMemory(server.pid);
  return memory && memory.peakRssBytes / MB;
};

// Every selected operation in turn at 50 connections, in each selected traffic shape; the floor
// gets the distinct-caller page20 load for a few seconds.
async function warmUp(
  settings: BenchSettings,
  scenarios: readonly Scenario[],
  fake: FakeAuthentik,
  gateway: ServerProcess,
  floor: ServerProcess | undefined,
): Promise<void> {
  if (settings.warmupS <= 0) return;
  const shapes = [...new Set(scenarios.map((scenario) => scenario.callers))];
  const operations = [...new Set(scenarios.map((scenario) => scenario.operation))];
  const sequence = operations.map((operation) => graphqlRequest(operation.query));
  log(
    `warming the gateway up for ${settings.warmupS} s (each operation in turn, 50 conns, ` +
      `${shapes.join(' then ')})`,
  );
  const counter = countUpstreamCalls(fake);
  try {
    for (const callers of shapes) {
      await runLoad({
        url: gateway.url,
        sequence: withCallerTokens(sequence, callerTokens(fake, callers)),
        connections: 50,
        durationS: settings.warmupS / shapes.length,
      });
    }
    if (floor) {
      const page20 = OPERATIONS.find((operation) => operation.id === 'page20')!;
      await runLoad({
        url: floor.url,
        sequence: withCallerTokens([graphqlRequest(page20.query)], callerTokens(fake, 'distinct')),
        connections: 50,
        durationS: Math.min(5, settings.warmupS),
      });
    }
  } finally {
    counter.stop();
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
