/**
 * `npm run bench` (`-- --quick` to check the harness): what the gateway costs on top of authentik,
 * on each runtime (the machine's node and the Node the image ships), as users run it.
 *
 * Builds the gateway and the floor proxy (floor-proxy.ts: the same job without GraphQL), starts
 * the fake authentik in this process and, per runtime, the servers of servers.ts as their own
 * processes pinned to one core (the driver, load generator and fake, takes the other). Warms each
 * up, then per scenario (scenarios.ts) loads the fake's REST API directly and each server in
 * turn. Prints issue 22's table per runtime, the targets with PASS/FAIL, every side's numbers and
 * the servers' memory; writes everything to bench/results/latest.json. Settings: settings.ts.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { startFakeAuthentik } from '../src/fake-authentik/server.js';
import type { FakeAuthentik } from '../src/fake-authentik/server.js';
import { DISTINCT_CALLER_TOKENS, withCallerTokens } from './callers.js';
import type { Callers } from './callers.js';
import { buildFloorProxy } from './floor-build.js';
import { runLoad } from './load.js';
import { callerTokens, measureScenario } from './measure.js';
import type { ScenarioResult } from './measure.js';
import { graphqlRequest } from './probe.js';
import { processMemory } from './proc-stats.js';
import {
  DRIVER_CORE,
  GATEWAY_CORE,
  buildGateway,
  canPinToCores,
  pinThisProcess,
} from './processes.js';
import { describeMachine, gitCommit, renderReport, writeReport } from './report.js';
import type { BenchReport } from './report.js';
import { resolveRuntimes } from './runtimes.js';
import { QUERIES, SCENARIOS } from './scenarios.js';
import type { Shape } from './scenarios.js';
import { startScriptFlags, startServers, stopServers } from './servers.js';
import type { BenchServer } from './servers.js';
import { readSettings } from './settings.js';
import type { BenchSettings } from './settings.js';
import { checkTargets, headlines } from './targets.js';
import type { ServerFacts } from './targets.js';
import { countUpstreamCalls } from './upstream-counter.js';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const MB = 1024 * 1024;

async function main(): Promise<void> {
  const settings = readSettings();
  const pinned = canPinToCores() && pinThisProcess(DRIVER_CORE);
  log(
    pinned
      ? `pinned: servers on core ${GATEWAY_CORE}, load generator + fake on core ${DRIVER_CORE}`
      : 'taskset or a second core is missing: running unpinned (numbers are less stable)',
  );
  // Taken before the build: the tree may change while the bench runs.
  const commit = gitCommit();
  const runtimes = resolveRuntimes(settings.runtimes);
  log(`runtimes: ${runtimes.map((runtime) => `${runtime.label} (${runtime.node})`).join(', ')}`);
  log('building the gateway (tsc -p tsconfig.build.json) and the floor');
  buildGateway();
  const floorEntry = buildFloorProxy();
  const fake = await startFakeAuthentik({
    host: '127.0.0.1',
    extraAdminTokens: DISTINCT_CALLER_TOKENS,
  });
  const startedAt = new Date().toISOString();
  const machine = describeMachine(pinned);
  const results: ScenarioResult[] = [];
  let servers: BenchServer[] = [];
  let facts: Record<string, ServerFacts>;
  try {
    servers = await startServers({
      runtimes,
      fake,
      floorEntry,
      core: pinned ? GATEWAY_CORE : undefined,
      settings,
      log,
    });
    await warmUp(settings, servers, fake);
    for (const scenario of SCENARIOS) {
      if (!servers.some((server) => scenario.loads.includes(server.kind))) continue;
      log(
        `${scenario.id}: direct and ${scenario.loads.join(', ')} in turn, ` +
          `${settings.rounds} × ${(settings.durationS / settings.rounds).toFixed(1)} s each`,
      );
      const result = await measureScenario({ fake, servers, ...settings }, scenario);
      for (const [id, side] of Object.entries(result.servers)) {
        log(
          `  ${id}: ${side.opsPerSec.toFixed(0)} ops/s, ${side.cpuMsPerOp?.toFixed(3)} CPU ms/op`,
        );
      }
      results.push(result);
    }
    facts = serverFacts(servers);
  } finally {
    await stopServers(servers);
    await fake.close();
  }

  machine.loadAverageAtEnd = loadavg();
  const { outFile, ...reported } = settings;
  const rows = headlines(results, facts);
  const report: BenchReport = {
    startedAt,
    commit,
    machine,
    settings: reported,
    startFlags: startScriptFlags(),
    servers: facts,
    results,
    headlines: rows,
    targets: checkTargets(rows, settings.memoryLimitMib),
  };
  writeReport(report, outFile);
  console.log(renderReport(report));
  console.log(`\nwritten to ${path.relative(process.cwd(), outFile)}`);
}

// Taken before the servers are stopped: peak RSS over the whole run, and who died of what.
function serverFacts(servers: readonly BenchServer[]): Record<string, ServerFacts> {
  return Object.fromEntries(
    servers.map((server) => {
      const exit = server.process.exit();
      const peak = processMemory(server.process.pid)?.peakRssBytes;
      const { cgroup } = server;
      const facts: ServerFacts = {
        runtime: server.runtime.label,
        kind: server.kind,
        startRssMb: server.startRssMb,
        peakRssMb: peak === undefined ? undefined : peak / MB,
        cgroup: cgroup && {
          limitMib: cgroup.limitBytes / MB,
          peakUsageMb: cgroup.peakUsageBytes() / MB,
          oomKills: cgroup.oomKills(),
        },
        exitedWith: exit && (exit.signal ?? `exit ${exit.code}`),
      };
      return [server.id, facts];
    }),
  );
}

// Every server in turn at 50 connections: the gateways get each scenario's traffic (the limited
// one meets its limit here first), the floors the distinct-caller pages.
async function warmUp(
  settings: BenchSettings,
  servers: readonly BenchServer[],
  fake: FakeAuthentik,
): Promise<void> {
  if (settings.warmupS <= 0) return;
  log(`warming each server up for ${settings.warmupS} s (50 conns, every scenario's traffic)`);
  const gatewayLoads: [Callers, Shape][] = [
    ['distinct', 'nodes'],
    ['distinct', 'edges'],
    ['one-token', 'nodes'],
  ];
  const floorLoads = gatewayLoads.filter(([callers]) => callers === 'distinct');
  const counter = countUpstreamCalls(fake);
  try {
    for (const server of servers) {
      const loads = server.kind === 'floor' ? floorLoads : gatewayLoads;
      for (const [callers, shape] of loads) {
        await runLoad({
          url: server.process.url,
          sequence: withCallerTokens([graphqlRequest(QUERIES[shape])], callerTokens(fake, callers)),
          connections: 50,
          durationS: settings.warmupS / loads.length,
        });
      }
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
