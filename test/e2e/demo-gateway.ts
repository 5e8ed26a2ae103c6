import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A gateway started the way a user starts it, in demo mode. */
export interface DemoGateway {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4321/graphql`. */
  url: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

// The entry point takes a fixed PORT and prints it back, so ask the kernel for a free one first.
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

// Any HTTP answer means the server listens; the log line's wording is not a contract.
async function waitUntilListening(
  child: ChildProcess,
  url: string,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`gateway exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    try {
      const response = await fetch(`${url}?query=%7B__typename%7D`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`gateway did not listen within ${timeoutMs} ms:\n${output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Spawns `node --import tsx src/main.ts` with no AUTHENTIK_URL (demo mode: the built-in fake
 * authentik) on a free loopback port, and resolves once it answers HTTP.
 */
export async function startDemoGateway(timeoutMs = 30_000): Promise<DemoGateway> {
  const port = await freeLoopbackPort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
  delete env.AUTHENTIK_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await waitUntilListening(child, url, timeoutMs, () => output);
  } catch (error) {
    await stop(child);
    throw error;
  }

  return {
    url,
    output: () => output,
    close: () => stop(child),
  };
}
