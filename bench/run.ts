/**
 * `npm run bench`: the gateway's cost on top of its upstream. Starts the fake authentik in this
 * process and the built gateway as its own process (pinned to separate cores where taskset
 * allows), warms the gateway up, then for each scenario loads the fake's REST API directly and
 * the gateway with the equivalent GraphQL operation, back to back. Prints a Markdown table and
 * the targets, and writes everything to bench/results/latest.json. Settings: see settings.ts.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { startFakeAuthentik } from '../src/fake-authentik/index.js';
import { runLoad } from './load.js';
import { measureScenario } from './measure.js';
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
  startGateway,
} from './processes.js';
import { describeMachine, gitCommit, renderReport, writeReport } from './report.js';
import type { BenchReport } from './report.js';
import { defaultScenarios } from './scenarios.js';
import { readSettings } from './settings.js';
import { checkTargets } from './targets.js';
import { countUpstreamCalls } from './upstream-counter.js';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function main(): Promise<void> {
  const settings = readSettings();
  const scenarios = defaultScenarios().filter(
    (scenario) => settings.only.length === 0 || settings.only.includes(scenario.id),
  );
  if (scenarios.length === 0) {
    throw new Error(`BENCH_ONLY matches no scenario: ${settings.only.join(', ')}`);
  }

  const pinned = canPinToCores() && pinThisProcess(DRIVER_CORE);
  log(
    pinned
      ? `pinned: gateway on core ${GATEWAY_CORE}, load generator + fake on core ${DRIVER_CORE}`
      : 'taskset or a second core is missing: running unpinned (numbers are less stable)',
  );
  // Taken before the build: the tree may change while the bench runs.
  const commit = gitCommit();
  if (!settings.gatewayEntry) log('building the gateway (tsc -p tsconfig.build.json)');
  const entry = settings.gatewayEntry ?? buildGateway();
  const fake = await startFakeAuthentik({ host: '127.0.0.1' });
  const gateway = await startGateway({
    entry,
    upstreamUrl: fake.url,
    core: pinned ? GATEWAY_CORE : undefined,
    nodeArgs: [
      ...(settings.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfileDir] : []),
      ...settings.gatewayNodeArgs,
    ],
  });
  const startedAt = new Date().toISOString();
  const machine = describeMachine(pinned);
  const results: ScenarioResult[] = [];
  let gatewayPeakRssMb: number | undefined;
  try {
    if (settings.warmupS > 0) {
      log(`warming the gateway up for ${settings.warmupS} s (each operation in turn, 50 conns)`);
      const operations = [...new Set(scenarios.map((scenario) => scenario.operation))];
      const counter = countUpstreamCalls(fake);
      await runLoad({
        url: gateway.url,
        sequence: operations.map((operation) => graphqlRequest(operation.query)),
        connections: 50,
        durationS: settings.warmupS,
      });
      counter.stop();
    }
    for (const scenario of scenarios) {
      log(
        `${scenario.id}: direct and gateway in turn, ${settings.rounds} × ` +
          `${(settings.durationS / settings.rounds).toFixed(1)} s each`,
      );
      const result = await measureScenario({ fake, gateway, ...settings }, scenario);
      log(
        `${scenario.id}: direct ${result.direct.opsPerSec.toFixed(0)} ops/s, gateway ` +
          `${result.gateway.opsPerSec.toFixed(0)} ops/s (p99 ${result.gateway.p99Ms.toFixed(2)} ms)`,
      );
      results.push(result);
    }
    const memory = processMemory(gateway.pid);
    if (memory) gatewayPeakRssMb = memory.peakRssBytes / (1024 * 1024);
  } finally {
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
    gatewayPeakRssMb,
    gatewayStderr: gateway.stderr,
    results,
    targets: checkTargets(results, gatewayPeakRssMb),
  };
  writeReport(report, outFile);
  console.log(renderReport(report));
  console.log(`\nwritten to ${path.relative(process.cwd(), outFile)}`);
  if (settings.cpuProfileDir)
    console.log(`CPU profile of the gateway in ${settings.cpuProfileDir}`);
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
