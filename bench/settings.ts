import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './processes.js';

/** How one bench run is set up, from `BENCH_*` environment variables. */
export interface BenchSettings {
  /** BENCH_WARMUP_S: gateway warm-up at the start, every operation in turn. Default 30. */
  warmupS: number;
  /** BENCH_DURATION_S: each measured run. Default 10. */
  durationS: number;
  /** BENCH_SETTLE_S: unmeasured load before each side's first measured run. Default 2. */
  settleS: number;
  /** BENCH_ROUNDS: direct and gateway take turns this many times per scenario. Default 5. */
  rounds: number;
  /**
   * BENCH_ONLY: comma-separated scenario ids (`distinct-page20@50`) or their part before the `@`
   * (`distinct-page20`: at every concurrency); empty runs them all.
   */
  only: string[];
  /** BENCH_OUT: the JSON results file. Default bench/results/latest.json. */
  outFile: string;
  /**
   * BENCH_CPU_PROF_DIR: run the gateway under `node --cpu-prof`, writing there. `--profile <ids>`
   * on the command line sets it to bench/results/profile/ (and BENCH_ONLY to `<ids>` when unset);
   * the run then ends with a summary of the gateway's profile.
   */
  cpuProfileDir?: string;
  /** BENCH_GATEWAY_NODE_ARGS: flags for the gateway's node. Default: those `npm start` uses. */
  gatewayNodeArgs: string[];
  /** BENCH_GATEWAY_ENTRY: run this built entry file instead of building the tree's. */
  gatewayEntry?: string;
  /** BENCH_GATEWAY_STDOUT: write the gateway's stdout (e.g. `--trace-gc`) to this file. */
  gatewayStdout?: string;
}

type Env = Record<string, string | undefined>;

function seconds(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a number of seconds ≥ 0, got "${raw}"`);
  }
  return value;
}

/**
 * Reads the settings from the environment and the command line (`--profile <ids>`, see
 * `cpuProfileDir`); throws naming the variable or argument when one is malformed.
 */
export function readSettings(
  env: Env = process.env,
  argv: readonly string[] = process.argv.slice(2),
): BenchSettings {
  const profiled = profileArgument(argv);
  if (profiled !== undefined) {
    env = {
      ...env,
      BENCH_ONLY: env.BENCH_ONLY?.trim() ? env.BENCH_ONLY : profiled,
      BENCH_CPU_PROF_DIR: env.BENCH_CPU_PROF_DIR?.trim()
        ? env.BENCH_CPU_PROF_DIR
        : 'bench/results/profile',
    };
  }
  const resolved = (value: string | undefined) =>
    value?.trim() ? path.resolve(ROOT, value.trim()) : undefined;
  return {
    warmupS: seconds(env, 'BENCH_WARMUP_S', 30),
    durationS: Math.max(1, seconds(env, 'BENCH_DURATION_S', 10)),
    settleS: seconds(env, 'BENCH_SETTLE_S', 2),
    rounds: Math.max(1, Math.round(seconds(env, 'BENCH_ROUNDS', 5))),
    only: (env.BENCH_ONLY ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    outFile: resolved(env.BENCH_OUT) ?? path.join(ROOT, 'bench/results/latest.json'),
    cpuProfileDir: resolved(env.BENCH_CPU_PROF_DIR),
    gatewayNodeArgs: (env.BENCH_GATEWAY_NODE_ARGS ?? startScriptNodeFlags())
      .split(/\s+/)
      .filter(Boolean),
    gatewayEntry: resolved(env.BENCH_GATEWAY_ENTRY),
    gatewayStdout: resolved(env.BENCH_GATEWAY_STDOUT),
  };
}

// `--profile <ids>` or `--profile=<ids>`; undefined without it. Anything else is a mistake.
function profileArgument(argv: readonly string[]): string | undefined {
  let profiled: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--profile=')) profiled = arg.slice('--profile='.length);
    else if (arg === '--profile' && argv[i + 1] && !argv[i + 1]!.startsWith('--')) {
      profiled = argv[++i];
    } else throw new Error(`unknown argument "${arg}" (the bench takes --profile <scenario ids>)`);
  }
  if (profiled !== undefined && profiled.trim() === '') {
    throw new Error('--profile needs scenario ids, e.g. --profile distinct-page20@50');
  }
  return profiled;
}

// The node flags of `npm start` (`node <flags> dist/main.js`), so the bench runs what users run.
function startScriptNodeFlags(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  return /\bnode\s+((?:--\S+\s+)*)dist\/main\.js/.exec(pkg.scripts.start)?.[1] ?? '';
}
