import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';

/** The repository root (bench/ lives right under it). */
export const ROOT = path.resolve(import.meta.dirname, '..');

/** The core the gateway runs on, and the one the bench driver (load generator + fake) runs on. */
export const GATEWAY_CORE = 0;
export const DRIVER_CORE = 1;

/**
 * Whether processes can be pinned to cores: `taskset` (util-linux) answers and the machine has
 * at least two cores. Without it the bench still runs, unpinned, and says so.
 */
export function canPinToCores(): boolean {
  if (cpus().length < 2) return false;
  const probe = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  return probe.status === 0;
}

/** Pins every thread of this process (and the threads it starts later) to one core. */
export function pinThisProcess(core: number): boolean {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], {
    stdio: 'ignore',
  });
  return result.status === 0;
}

/**
 * Builds the gateway as `npm ci` does (`tsc -p tsconfig.build.json` into dist/, which
 * scripts/start.sh runs). Throws with the compiler's output when the build fails.
 */
export function buildGateway(): void {
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`the gateway does not build:\n${result.stdout}${result.stderr}`);
  }
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A server (the gateway, or the floor proxy) started as its own process. */
export interface ServerProcess {
  pid: number;
  /** e.g. `http://127.0.0.1:40123/graphql`. */
  url: string;
  /** What the process wrote to stderr: line count, and the first lines. */
  stderr: { lines: number; head: string[] };
  /** How it ended, once it has (`SIGKILL` from the OOM killer, say); undefined while it runs. */
  exit(): { code: number | null; signal: string | null } | undefined;
  /** SIGTERM, then SIGKILL after `graceMs` (default 15 s). */
  stop(graceMs?: number): Promise<void>;
}

export interface StartServerOptions {
  /**
   * The command: it must end up exec-ing node (`taskset`, `sh -c '... exec "$@"'` and
   * scripts/start.sh all do), so that the pid is node's.
   */
  command: string[];
  upstreamUrl: string;
  /** More environment for the process (PORT, HOST, AUTHENTIK_URL and NODE_ENV are set). */
  env?: Record<string, string>;
  /** How errors name the process. */
  name: string;
  /** Write the process's stdout here (e.g. `--trace-gc` output); default discarded. */
  stdoutFile?: string;
}

/** `taskset -c <core>` before a command, or nothing when the bench runs unpinned. */
export function pinnedTo(core: number | undefined): string[] {
  return core === undefined ? [] : ['taskset', '-c', String(core)];
}

/**
 * Starts the command with AUTHENTIK_URL, PORT, NODE_ENV=production and LOG_LEVEL=warn, and
 * resolves once it answers HTTP.
 */
export async function startServerProcess(options: StartServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const [command, ...args] = options.command;
  const stdout = options.stdoutFile ? openSync(options.stdoutFile, 'w') : 'ignore';
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      AUTHENTIK_URL: options.upstreamUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', stdout, 'pipe'],
  });
  // The child has its own copy of the descriptor.
  if (typeof stdout === 'number') closeSync(stdout);
  // Kept out of the bench's output (the runs end by cutting the requests in flight, which yoga
  // may mention); counted and sampled for the report instead.
  const stderr = { lines: 0, head: [] as string[] };
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    stderr.lines += lines.length;
    for (const line of lines) if (stderr.head.length < 12) stderr.head.push(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await waitUntilAnswering(url, child, options.name);
  } catch (error) {
    await new Promise((resolve) => setTimeout(resolve, 100)); // let stderr drain
    throw new Error(`${(error as Error).message}\n${stderr.head.join('\n')}`, { cause: error });
  }
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid!,
    url,
    stderr,
    exit: () => (ended() ? { code: child.exitCode, signal: child.signalCode } : undefined),
    async stop(graceMs = 15_000) {
      if (ended()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// Any HTTP answer means the server listens; the process dying first means it never will.
async function waitUntilAnswering(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before listening`);
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not answer within 20 s`);
}
