import path from 'node:path';
import { ROOT } from './processes.js';

/** How one bench run is set up: `--quick`, then `BENCH_*` environment variables. */
export interface BenchSettings {
  /** `--quick` or BENCH_QUICK=1: short runs to check the harness; the ratios are rough. */
  quick: boolean;
  /** BENCH_WARMUP_S: load on each server before anything is measured. Default 20 (quick 4). */
  warmupS: number;
  /** BENCH_DURATION_S: measured time per server and scenario. Default 10 (quick 2). */
  durationS: number;
  /** BENCH_SETTLE_S: unmeasured load before each server's first measured run. Default 2 (quick 0.5). */
  settleS: number;
  /** BENCH_ROUNDS: the servers take turns this many times per scenario. Default 5 (quick 2). */
  rounds: number;
  /**
   * BENCH_RUNTIMES: comma-separated `machine` (the node running the bench) and major versions
   * from npm's `node` package (`24`: what the Dockerfile ships). Default `machine,24`.
   */
  runtimes: string[];
  /** BENCH_MEMORY_LIMIT_MIB: the container's memory limit; 0 leaves that row out. Default 256. */
  memoryLimitMib: number;
  /** BENCH_GATEWAY_NODE_ARGS: node flags every gateway gets after the start script's own. */
  gatewayNodeArgs: string[];
  /**
   * A second gateway measured beside the first in the distinct-caller and one-token scenarios,
   * for A/B numbers in one run: BENCH_COMPARE_ENTRY (a built `main.js`, e.g. another tree's dist/)
   * and/or BENCH_COMPARE_NODE_ARGS (node flags after the gateways' own). Unset: none.
   */
  compare?: { entry?: string; nodeArgs: string[] };
  /** BENCH_OUT: the JSON results file. Default bench/results/latest.json. */
  outFile: string;
}

type Env = Record<string, string | undefined>;

function number(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a number ≥ 0, got "${raw}"`);
  }
  return value;
}

const list = (raw: string | undefined, separator: RegExp) =>
  (raw ?? '').split(separator).filter(Boolean);
const flags = (raw: string | undefined) => list(raw, /\s+/);

/** Reads the settings; throws naming the variable or argument that is malformed. */
export function readSettings(
  env: Env = process.env,
  argv: readonly string[] = process.argv.slice(2),
): BenchSettings {
  for (const arg of argv) {
    if (arg !== '--quick') throw new Error(`unknown argument "${arg}" (the bench takes --quick)`);
  }
  const quick = argv.includes('--quick') || /^(1|true)$/i.test(env.BENCH_QUICK ?? '');
  const resolved = (value: string | undefined) =>
    value?.trim() ? path.resolve(ROOT, value.trim()) : undefined;
  const compareEntry = resolved(env.BENCH_COMPARE_ENTRY);
  const compareArgs = flags(env.BENCH_COMPARE_NODE_ARGS);
  return {
    quick,
    warmupS: number(env, 'BENCH_WARMUP_S', quick ? 4 : 20),
    durationS: Math.max(0.5, number(env, 'BENCH_DURATION_S', quick ? 2 : 10)),
    settleS: number(env, 'BENCH_SETTLE_S', quick ? 0.5 : 2),
    rounds: Math.max(1, Math.round(number(env, 'BENCH_ROUNDS', quick ? 2 : 5))),
    runtimes: env.BENCH_RUNTIMES?.trim() ? list(env.BENCH_RUNTIMES, /[\s,]+/) : ['machine', '24'],
    memoryLimitMib: number(env, 'BENCH_MEMORY_LIMIT_MIB', 256),
    gatewayNodeArgs: flags(env.BENCH_GATEWAY_NODE_ARGS),
    compare:
      compareEntry || compareArgs.length > 0
        ? { entry: compareEntry, nodeArgs: compareArgs }
        : undefined,
    outFile: resolved(env.BENCH_OUT) ?? path.join(ROOT, 'bench/results/latest.json'),
  };
}
