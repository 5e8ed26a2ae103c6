import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';

/** A child process running a TypeScript entry point, its stdout lines, and its exit. */
export interface Child {
  process: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  /** Resolves with the first stdout line matching `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs` if still running. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Runs `node --import tsx <entry>` with extra environment variables. */
export function spawnTs(entry: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    process: child,
    lines,
    exited,
    waitForLine(test, timeoutMs = 20_000) {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching line in time')), timeoutMs);
        waiters.push({
          test,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() =>
          reject(new Error(`exited before a matching line: ${lines.join('\n')}`)),
        );
      });
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Starts the fake authentik's CLI in a child process; resolves with its URL. */
export async function spawnFakeAuthentik(
  env: Record<string, string> = {},
): Promise<{ url: string; child: Child }> {
  const child = spawnTs('src/fake-authentik/main.ts', env);
  const line = await child.waitForLine((l) => l.startsWith('{"url"'));
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

/** A gateway running `src/main.ts` in its own process, and its GraphQL URL. */
export interface GatewayProcess {
  child: Child;
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
}

/**
 * Starts the gateway's entry point in a child process over `authentikUrl`, as `npm start` would
 * (its own process: a crash is seen as an exit, not as a failed test worker).
 */
export async function spawnGateway(
  authentikUrl: string,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const child = spawnTs('src/main.ts', {
    AUTHENTIK_URL: authentikUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SHUTDOWN_GRACE_MS: '10000',
    ...env,
  });
  const line = await child.waitForLine((l) =>
    l.includes('"msg":"authentik GraphQL gateway listening"'),
  );
  const { port } = JSON.parse(line) as { port: number };
  return { child, port, origin: `http://127.0.0.1:${port}` };
}

/**
 * For the calling suite: a fake authentik in this process, and the gateway over it in its own
 * (`spawnGateway` with `env`), started before the suite's tests and stopped after them. The
 * object is filled in by the `beforeAll` hook, so read it inside tests and hooks only.
 */
export function useGatewayProcess(
  env: Record<string, string> = {},
): GatewayProcess & { fake: FakeAuthentik } {
  const running = {} as GatewayProcess & { fake: FakeAuthentik };
  beforeAll(async () => {
    running.fake = await startFakeAuthentik();
    Object.assign(running, await spawnGateway(running.fake.url, env));
  }, 60_000);
  afterAll(async () => {
    // Either may be absent when the start failed: that failure is the one to report.
    await (running as Partial<GatewayProcess>).child?.stop();
    await (running as Partial<typeof running>).fake?.close();
  });
  return running;
}
