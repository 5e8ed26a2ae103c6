/**
 * `npm run bench:layers`: where the gateway's CPU per request goes above the floor, layer by
 * layer, for the bench's headline request (a distinct-caller page20 at 50 in flight: every
 * operation carries its own token of 200, so nothing is shared and each makes one upstream call).
 * `npm run bench` says the gateway costs several times the floor's CPU per request; this says
 * which layer adds what, from a bare undici GET of the same upstream URL up to the GraphQL query
 * over HTTP (the ladder is LAYERS below).
 *
 * This process (the fake authentik, and autocannon for the HTTP layers) is pinned to the driver
 * core. The layers without HTTP run in a child process pinned to the gateway's core
 * (layers-in-process.ts), where each is timed with `process.cpuUsage()` and its GC pauses; the
 * HTTP layers load the built gateway and the floor proxy, started and pinned as `npm run bench`
 * starts them, with the CPU of their processes read from /proc. All three get the node flags of
 * `npm start` (BENCH_GATEWAY_NODE_ARGS overrides); the child runs the TypeScript sources through
 * tsx's loader (each file transpiled once, at start), the servers run their builds.
 *
 * Each layer: 50 operations in flight, BENCH_WARMUP_S (default 5) of warm-up, then BENCH_ROUNDS
 * (default 3) rounds of BENCH_DURATION_S (default 5) each, one layer after the other; the table
 * shows each layer's median round by CPU per operation, and what it adds over the layer it builds
 * on. Prints a Markdown table and writes bench/results/layers.json.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { startFakeAuthentik } from '../src/fake-authentik/index.js';
import type { FakeAuthentik } from '../src/fake-authentik/index.js';
import { DISTINCT_CALLER_TOKENS, withCallerTokens } from './callers.js';
import { buildFloorProxy, page20UpstreamCall, startFloor } from './floor-build.js';
import { DEFAULT_FLOOR_UPSTREAM_PATH } from './floor-proxy.js';
import type {
  InProcessLayerId,
  InProcessResults,
  InProcessSettings,
  LayerRound,
} from './layers-in-process.js';
import { runLoad } from './load.js';
import { graphqlRequest } from './probe.js';
import { processCpuMs } from './proc-stats.js';
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
import { describeMachine, describeMachineLine, gitCommit } from './report.js';
import { OPERATIONS } from './scenarios.js';
import { readSettings } from './settings.js';
import { markdownRow, num } from './table.js';
import { countUpstreamCalls, waitUntilUpstreamQuiet } from './upstream-counter.js';

type LayerId = InProcessLayerId | 'http-typename' | 'http-page20' | 'floor-page20';

interface Layer {
  id: LayerId;
  name: string;
  /** One line for the legend: what one operation is. */
  legend: string;
  /** The layer this one is compared with (the Δ column): what it builds on. */
  over?: LayerId;
}

/** The ladder, bottom up: rows 1–6 in-process (layers-in-process.ts), 7–9 over HTTP. */
const LAYERS: readonly Layer[] = [
  {
    id: 'undici',
    name: 'undici + JSON.parse',
    legend:
      "one undici `Pool.request` of the gateway's page20 upstream call, `body.text()`, " +
      '`JSON.parse` (what the floor does upstream)',
  },
  {
    id: 'upstream-http',
    name: 'UpstreamHttp.request',
    over: 'undici',
    legend:
      "the same call through the gateway's HTTP client (src/upstream/http.ts, the app's " +
      'instance): in-flight sharing, deadline timer, retry and breaker policy, abort signals, ' +
      'size-capped body read, `JSON.parse`',
  },
  {
    id: 'list-grants',
    name: 'AuthentikApi.listGrants',
    over: 'upstream-http',
    legend:
      'the same call as the resolvers make it (src/upstream/authentik.ts): URL built, page ' +
      'validated and normalised',
  },
  {
    id: 'yoga-typename',
    name: 'yoga.fetch `{ __typename }`',
    legend:
      "the GraphQL pipeline alone (no HTTP, no upstream call): yoga's Request and Response, " +
      "the plugins, the gateway's context, parse, validate, execute, serialise",
  },
  {
    id: 'yoga-pk-page',
    name: 'yoga.fetch pk-only page',
    over: 'list-grants',
    legend:
      '`refreshTokens(first: 20) { edges { node { pk } } }`: the pipeline around one listGrants',
  },
  {
    id: 'yoga-page20',
    name: 'yoga.fetch page20',
    over: 'yoga-pk-page',
    legend: "the bench's page20 operation: the pk-only page plus the fields of each row",
  },
  {
    id: 'http-typename',
    name: 'HTTP `{ __typename }` (gateway)',
    over: 'yoga-typename',
    legend:
      'the built gateway as `npm start` runs it, loaded over loopback: #4 plus node:http and ' +
      "yoga's node adapter",
  },
  {
    id: 'http-page20',
    name: 'HTTP page20 (gateway)',
    over: 'yoga-page20',
    legend: "the bench's distinct-caller page20 @50, as `npm run bench` measures it",
  },
  {
    id: 'floor-page20',
    name: 'HTTP page20 (floor)',
    over: 'undici',
    legend:
      'the floor proxy (floor-proxy.ts) for the same request: body parse, one undici GET, ' +
      '`JSON.parse`, the selected fields, `JSON.stringify`',
  },
];

/** A layer's numbers over one round, or its median round. */
interface LayerSummary {
  opsPerSec: number;
  cpuMsPerOp: number;
  /** Share of the CPU time spent in GC pauses (in-process layers only). */
  gcShare?: number;
  ops: number;
  failures: number;
  durationS: number;
}

interface LayerResult extends Layer {
  /** The median round by CPU ms/op. */
  median: LayerSummary;
  rounds: LayerSummary[];
}

const CONNECTIONS = 50;
const RESULTS_FILE = path.join(ROOT, 'bench/results/layers.json');
const PAGE20 = OPERATIONS.find((operation) => operation.id === 'page20')!;

const log = (message: string) => process.stderr.write(`[layers] ${message}\n`);

// The bench's settings (settings.ts) with shorter defaults: this is a quick, focused run.
function readLayerSettings() {
  const defaults = { BENCH_WARMUP_S: '5', BENCH_DURATION_S: '5', BENCH_ROUNDS: '3' };
  const env = { ...process.env };
  for (const [name, value] of Object.entries(defaults)) env[name] = env[name]?.trim() || value;
  const { warmupS, durationS, rounds, gatewayNodeArgs, gatewayEntry } = readSettings(env, []);
  return { warmupS, durationS, rounds, gatewayNodeArgs, gatewayEntry };
}

type LayerSettings = ReturnType<typeof readLayerSettings>;

async function main(): Promise<void> {
  const settings = readLayerSettings();
  const pinned = canPinToCores() && pinThisProcess(DRIVER_CORE);
  const core = pinned ? GATEWAY_CORE : undefined;
  log(
    pinned
      ? `pinned: measured processes on core ${GATEWAY_CORE}, fake + autocannon on core ${DRIVER_CORE}`
      : 'taskset or a second core is missing: running unpinned (numbers are less stable)',
  );
  const commit = gitCommit();
  if (!settings.gatewayEntry) log('building the gateway (tsc -p tsconfig.build.json)');
  const entry = settings.gatewayEntry ?? buildGateway();
  const floorEntry = buildFloorProxy();
  const machine = describeMachine(pinned);
  const startedAt = new Date().toISOString();

  const fake = await startFakeAuthentik({
    host: '127.0.0.1',
    extraAdminTokens: DISTINCT_CALLER_TOKENS,
  });
  const servers: ServerProcess[] = [];
  const results: LayerResult[] = [];
  try {
    const nodeArgs = settings.gatewayNodeArgs;
    const gateway = await startServerProcess({ entry, upstreamUrl: fake.url, core, nodeArgs });
    servers.push(gateway);
    const upstreamPath = await page20UpstreamPath(gateway, fake);
    const floor = await startFloor({
      entry: floorEntry,
      upstreamUrl: fake.url,
      upstreamPath,
      core,
      nodeArgs,
    });
    servers.push(floor);

    for (const { id, rounds } of await measureInProcess(fake, upstreamPath, core, settings)) {
      results.push(summarise(id, rounds));
    }
    const overHttp: [LayerId, ServerProcess, string][] = [
      ['http-typename', gateway, '{ __typename }'],
      ['http-page20', gateway, PAGE20.query],
      ['floor-page20', floor, PAGE20.query],
    ];
    for (const [id, server, query] of overHttp) {
      results.push(summarise(id, await measureServer(id, server, query, fake, settings)));
    }
  } finally {
    for (const server of servers) await server.stop();
    await fake.close();
  }

  machine.loadAverageAtEnd = loadavg();
  const report = {
    startedAt,
    commit,
    machine,
    settings: { ...settings, connections: CONNECTIONS, gatewayEntry: path.relative(ROOT, entry) },
    upstreamPath: DEFAULT_FLOOR_UPSTREAM_PATH,
    layers: results,
  };
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderLayers(results));
  console.log(`\n${describeMachineLine(machine, 'measured processes and driver')}`);
  console.log(`written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

// The upstream layers measure the call the gateway makes for page20: recorded, then checked to
// be the floor's default (which listGrants' arguments in layers-in-process.ts also build).
async function page20UpstreamPath(gateway: ServerProcess, fake: FakeAuthentik): Promise<string> {
  const call = await page20UpstreamCall(gateway, fake);
  if (call !== DEFAULT_FLOOR_UPSTREAM_PATH) {
    throw new Error(
      `the layers expect the gateway's page20 to call ${DEFAULT_FLOOR_UPSTREAM_PATH}; it called ${call}`,
    );
  }
  return call;
}

// Runs layers-in-process.ts as `node <flags> --import tsx` (no npx or tsx CLI in between, so
// that the pid is node's and killing it stops the measurement), pinned to the gateway's core.
async function measureInProcess(
  fake: FakeAuthentik,
  upstreamPath: string,
  core: number | undefined,
  settings: LayerSettings,
): Promise<InProcessResults> {
  const script = path.join(ROOT, 'bench/layers-in-process.ts');
  const nodeCommand = [process.execPath, ...settings.gatewayNodeArgs, '--import', 'tsx', script];
  const [command, ...args] =
    core === undefined ? nodeCommand : ['taskset', '-c', String(core), ...nodeCommand];
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // The fake logs every request: drained while the child loads it.
  const drain = countUpstreamCalls(fake);
  try {
    const input: InProcessSettings = {
      upstreamUrl: fake.url,
      tokens: [...fake.tokens.extraAdmin],
      upstreamPath,
      connections: CONNECTIONS,
      warmupS: settings.warmupS,
      durationS: settings.durationS,
      rounds: settings.rounds,
    };
    // Stays open until the child is done: its closing tells the child that this process is gone.
    // A write that fails is the child's failure to start, which its exit code reports.
    child.stdin!.on('error', () => {});
    child.stdin!.write(`${JSON.stringify(input)}\n`);
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
    if (code !== 0) throw new Error(`layers-in-process.ts exited with ${code ?? signal}`);
    return JSON.parse(output.trim().split('\n').pop()!) as InProcessResults;
  } finally {
    drain.stop();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

// One HTTP layer, as measure.ts loads a side: autocannon from this process, distinct callers,
// the server's CPU from /proc; each round starts once the previous one's calls have drained.
async function measureServer(
  id: LayerId,
  server: ServerProcess,
  query: string,
  fake: FakeAuthentik,
  settings: LayerSettings,
): Promise<LayerRound[]> {
  const load = {
    url: server.url,
    sequence: withCallerTokens([graphqlRequest(query)], fake.tokens.extraAdmin),
    connections: CONNECTIONS,
    durationS: settings.durationS,
  };
  log(`${id}: ${settings.warmupS} s warm-up, ${settings.rounds} × ${settings.durationS} s`);
  const drain = countUpstreamCalls(fake);
  try {
    if (settings.warmupS > 0) await runLoad({ ...load, durationS: settings.warmupS });
    const rounds: LayerRound[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      await waitUntilUpstreamQuiet(fake);
      const cpu0 = processCpuMs(server.pid);
      const result = await runLoad(load);
      const cpu1 = processCpuMs(server.pid);
      rounds.push({
        ops: result.ops,
        failures: result.failures,
        durationS: result.durationS,
        cpuMs: cpu0 === undefined || cpu1 === undefined ? Number.NaN : cpu1 - cpu0,
      });
    }
    return rounds;
  } finally {
    drain.stop();
  }
}

function summarise(id: LayerId, rounds: readonly LayerRound[]): LayerResult {
  const layer = LAYERS.find((candidate) => candidate.id === id);
  if (!layer) throw new Error(`no layer "${id}" in LAYERS`);
  const summaries = rounds.map((round): LayerSummary => ({
    opsPerSec: round.ops / round.durationS,
    cpuMsPerOp: round.cpuMs / Math.max(1, round.ops),
    gcShare: round.gcMs === undefined ? undefined : round.gcMs / round.cpuMs,
    ops: round.ops,
    failures: round.failures,
    durationS: round.durationS,
  }));
  const byCpu = [...summaries].sort((a, b) => a.cpuMsPerOp - b.cpuMsPerOp);
  return { ...layer, median: byCpu[Math.floor((byCpu.length - 1) / 2)]!, rounds: summaries };
}

const HEADER = [
  '#',
  'layer',
  'ops/s',
  'CPU ms/op',
  'GC share of CPU',
  'Δ CPU ms/op',
  'CPU ms/op per round',
];

/** The layers as a Markdown table (median rounds), then a legend of one line per layer. */
function renderLayers(results: readonly LayerResult[]): string {
  const rowNumber = (id: LayerId) => results.findIndex((result) => result.id === id) + 1;
  const rows = results.map((result, index) => {
    const { median } = result;
    const base = results.find((candidate) => candidate.id === result.over);
    const delta = base && median.cpuMsPerOp - base.median.cpuMsPerOp;
    const failures = result.rounds.reduce((total, round) => total + round.failures, 0);
    return markdownRow([
      String(index + 1),
      failures > 0 ? `${result.name} (${failures} failed)` : result.name,
      num(median.opsPerSec, 0),
      num(median.cpuMsPerOp, 3),
      median.gcShare === undefined ? '' : `${num(median.gcShare * 100, 0)}%`,
      base && delta !== undefined
        ? `${delta >= 0 ? '+' : ''}${num(delta, 3)} over #${rowNumber(base.id)}`
        : '',
      result.rounds.map((round) => num(round.cpuMsPerOp, 3)).join(' / '),
    ]);
  });
  const legend = results.map((result, index) => `${index + 1}. ${result.name}: ${result.legend}`);
  const gateway = results.find((result) => result.id === 'http-page20');
  const floor = results.find((result) => result.id === 'floor-page20');
  const ratio =
    gateway && floor
      ? [
          '',
          `page20 over HTTP: the gateway ${num(gateway.median.cpuMsPerOp, 3)} CPU ms/op, the ` +
            `floor ${num(floor.median.cpuMsPerOp, 3)} ` +
            `(${num(gateway.median.cpuMsPerOp / floor.median.cpuMsPerOp, 2)}×)`,
        ]
      : [];
  return [
    markdownRow(HEADER),
    markdownRow(HEADER.map(() => '---')),
    ...rows,
    '',
    ...legend,
    ...ratio,
  ].join('\n');
}

try {
  await main();
} catch (error) {
  console.error(`bench:layers failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
