/**
 * `npm run bench:memory`: what the gateway process holds right after start, and which modules
 * account for it. Node, with the flags `npm start` uses, imports the gateway's heavy dependencies
 * one after another (then the gateway's own modules, then builds the schema) and reports its
 * resident set and live heap (after a full GC) after each step; each dependency is also imported
 * alone into a fresh node, since shared dependencies (graphql above all) count only once in the
 * cumulative column. Last, the built gateway is started as the bench starts it and measured once
 * it answers. Prints a Markdown table.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeAuthentik } from '../src/fake-authentik/index.js';
import { processMemory } from './proc-stats.js';
import { ROOT, buildGateway, startServerProcess } from './processes.js';
import { readSettings } from './settings.js';

/** One import step: what is imported, and optionally a function of the last module to call. */
interface ImportStep {
  label: string;
  specifiers: string[];
  /** An export of the last specifier to call after importing (the schema build). */
  call?: string;
}

interface MemoryPoint {
  label: string;
  rssMb: number;
  heapUsedMb: number;
}

const MB = 1024 * 1024;

/** The gateway's heavy runtime dependencies, in roughly the order it loads them. */
const DEPENDENCY_STEPS: ImportStep[] = [
  { label: 'graphql', specifiers: ['graphql'] },
  { label: 'graphql-yoga', specifiers: ['graphql-yoga'] },
  { label: '@envelop/graphql-jit (graphql-jit)', specifiers: ['@envelop/graphql-jit'] },
  { label: '@escape.tech/graphql-armor', specifiers: ['@escape.tech/graphql-armor'] },
  {
    label: '@pothos/core + plugins',
    specifiers: [
      '@pothos/core',
      '@pothos/plugin-relay',
      '@pothos/plugin-dataloader',
      '@pothos/plugin-directives',
      '@pothos/plugin-federation',
    ],
  },
  { label: '@apollo/subgraph', specifiers: ['@apollo/subgraph'] },
  { label: 'graphql-scalars', specifiers: ['graphql-scalars'] },
  { label: 'dataloader', specifiers: ['dataloader'] },
  { label: 'prom-client', specifiers: ['prom-client'] },
  { label: 'pino', specifiers: ['pino'] },
  { label: 'undici', specifiers: ['undici'] },
];

// Runs in a fresh node: imports the steps in order, measuring after a full GC at the start and
// after each step; prints the points as one JSON line.
const MEASURE_IMPORTS = `
const steps = JSON.parse(process.env.IMPORT_STEPS);
const points = [];
const measure = (label) => {
  globalThis.gc();
  const { rss, heapUsed } = process.memoryUsage();
  points.push({ label, rssMb: rss / ${MB}, heapUsedMb: heapUsed / ${MB} });
};
measure('node alone');
for (const step of steps) {
  let last;
  for (const specifier of step.specifiers) last = await import(specifier);
  if (step.call) await last[step.call]();
  measure(step.label);
}
console.log(JSON.stringify(points));
`;

// On SIGUSR2, the gateway writes its memory (after a full GC) to BENCH_MEMORY_FILE.
const MEMORY_ON_SIGNAL = `data:text/javascript,${encodeURIComponent(`
import { writeFileSync } from 'node:fs';
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  writeFileSync(process.env.BENCH_MEMORY_FILE, JSON.stringify(process.memoryUsage()));
});
`)}`;

function measureImports(steps: readonly ImportStep[], nodeArgs: readonly string[]): MemoryPoint[] {
  const output = execFileSync(
    process.execPath,
    [...nodeArgs, '--expose-gc', '--input-type=module', '-e', MEASURE_IMPORTS],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, IMPORT_STEPS: JSON.stringify(steps) } },
  );
  return JSON.parse(output.trim().split('\n').pop()!) as MemoryPoint[];
}

// The built gateway's own modules, when the build has them (the tree's layout may change).
function gatewaySteps(entry: string): ImportStep[] {
  const dist = path.dirname(entry);
  const file = (relative: string) => path.join(dist, relative);
  const steps: ImportStep[] = [];
  if (existsSync(file('gateway.js'))) {
    steps.push({
      label: "the gateway's own modules (dist/gateway.js)",
      specifiers: [pathToFileURL(file('gateway.js')).href],
    });
  }
  if (existsSync(file('schema/index.js'))) {
    steps.push({
      label: 'schema built (buildSchema())',
      specifiers: [pathToFileURL(file('schema/index.js')).href],
      call: 'buildSchema',
    });
  }
  return steps;
}

/** The built gateway started as the bench starts it: RSS once it answers, heap after a full GC. */
async function measureStartedGateway(
  entry: string,
  nodeArgs: readonly string[],
): Promise<{ rssMb?: number; heapUsedMb?: number; rssAfterGcMb?: number }> {
  const fake = await startFakeAuthentik({ host: '127.0.0.1' });
  const memoryFile = path.join(tmpdir(), `gateway-start-memory-${process.pid}.json`);
  rmSync(memoryFile, { force: true });
  try {
    const gateway = await startServerProcess({
      entry,
      upstreamUrl: fake.url,
      nodeArgs: [...nodeArgs, '--expose-gc', '--import', MEMORY_ON_SIGNAL],
      env: { BENCH_MEMORY_FILE: memoryFile },
    });
    try {
      const rss = processMemory(gateway.pid)?.rssBytes;
      process.kill(gateway.pid, 'SIGUSR2');
      for (let attempt = 0; attempt < 50 && !existsSync(memoryFile); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const usage = existsSync(memoryFile)
        ? (JSON.parse(readFileSync(memoryFile, 'utf8')) as { rss: number; heapUsed: number })
        : undefined;
      return {
        rssMb: rss === undefined ? undefined : rss / MB,
        heapUsedMb: usage && usage.heapUsed / MB,
        rssAfterGcMb: usage && usage.rss / MB,
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    rmSync(memoryFile, { force: true });
    await fake.close();
  }
}

const mb = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));
const delta = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;

// The table: cumulative steps with their deltas, each dependency alone (its delta over the bare
// node of its own process), the started gateway.
function renderStartupMemory(
  cumulative: readonly MemoryPoint[],
  alone: ReadonlyMap<string, MemoryPoint>,
  started: { rssMb?: number; heapUsedMb?: number; rssAfterGcMb?: number },
): string {
  const rows = [
    '| step (cumulative, in this order) | RSS MB | Δ RSS | heap used MB | Δ heap | alone: Δ RSS | alone: Δ heap |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  cumulative.forEach((point, index) => {
    const previous = cumulative[index - 1];
    const single = alone.get(point.label);
    rows.push(
      `| ${point.label} | ${mb(point.rssMb)} | ${previous ? delta(point.rssMb - previous.rssMb) : ''} | ` +
        `${mb(point.heapUsedMb)} | ${previous ? delta(point.heapUsedMb - previous.heapUsedMb) : ''} | ` +
        `${single ? delta(single.rssMb) : ''} | ${single ? delta(single.heapUsedMb) : ''} |`,
    );
  });
  rows.push(
    `| **gateway started (dist/main.js, answering)** | ${mb(started.rssMb)} | | ` +
      `${mb(started.heapUsedMb)} | | | |`,
  );
  return [
    ...rows,
    '',
    'RSS and heap after a full GC, node flags of `npm start`. "alone": the package imported into a ' +
      'fresh node, over that node before the import; it includes the ~5 MB any first package ' +
      'import costs (the module loader; dataloader, one small file, shows it), and shared ' +
      'dependencies (graphql) that the cumulative column counts once. The started gateway: RSS ' +
      `right after it first answered; heap (and RSS ${mb(started.rssAfterGcMb)} MB) after a full GC.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const settings = readSettings(process.env, []);
  const entry = settings.gatewayEntry ?? buildGateway();
  const nodeArgs = settings.gatewayNodeArgs;
  const steps = [...DEPENDENCY_STEPS, ...gatewaySteps(entry)];
  const cumulative = measureImports(steps, nodeArgs);
  const alone = new Map<string, MemoryPoint>();
  for (const step of DEPENDENCY_STEPS) {
    const [node, imported] = measureImports([step], nodeArgs) as [MemoryPoint, MemoryPoint];
    alone.set(step.label, {
      label: step.label,
      rssMb: imported.rssMb - node.rssMb,
      heapUsedMb: imported.heapUsedMb - node.heapUsedMb,
    });
  }
  const started = await measureStartedGateway(entry, nodeArgs);
  console.log(renderStartupMemory(cumulative, alone, started));
}

try {
  await main();
} catch (error) {
  console.error(`startup memory failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
