/**
 * The processes the bench loads, per runtime: the gateway started the way `npm start` and the
 * image start it (scripts/start.sh, so its flags are the ones users get), the same under a memory
 * limit (cgroup.ts), optionally a second gateway to compare with (A/B), and the floor proxy.
 * Every one is pinned to the gateway core, started once and loaded in turn.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { FakeAuthentik } from '../src/fake-authentik/server.js';
import { createMemoryCgroup } from './cgroup.js';
import type { MemoryCgroup } from './cgroup.js';
import { page20UpstreamCall } from './floor-build.js';
import { processMemory } from './proc-stats.js';
import { ROOT, pinnedTo, startServerProcess } from './processes.js';
import type { ServerProcess } from './processes.js';
import type { Runtime } from './runtimes.js';
import type { ServerKind } from './scenarios.js';
import type { BenchSettings } from './settings.js';

/** `npm start` and the Dockerfile's CMD. */
export const START_SCRIPT = path.join(ROOT, 'scripts/start.sh');

export interface BenchServer {
  /** e.g. `Node 24.11.0 gateway, 256 MiB`. */
  id: string;
  runtime: Runtime;
  kind: ServerKind;
  process: ServerProcess;
  /** The limited gateway's memory cgroup. */
  cgroup?: MemoryCgroup;
  /** Resident set right after it first answered, in MB. */
  startRssMb?: number;
}

export interface StartServersOptions {
  runtimes: readonly Runtime[];
  fake: FakeAuthentik;
  /** The transpiled floor proxy (floor-build.ts). */
  floorEntry: string;
  /** Pin every server to this core; undefined runs them unpinned. */
  core: number | undefined;
  settings: Pick<BenchSettings, 'memoryLimitMib' | 'gatewayNodeArgs' | 'compare'>;
  log: (message: string) => void;
}

/**
 * Starts, per runtime, the gateway, the limited gateway (when a memory cgroup can be made), the
 * compared gateway (when asked for) and the floor. On failure stops what it started.
 */
export async function startServers(options: StartServersOptions): Promise<BenchServer[]> {
  const { fake, settings } = options;
  const servers: BenchServer[] = [];
  // The start script's flags outside any limit: the floor and a compared entry get them too.
  const baseFlags = startScriptFlags();
  let floorPath: string | undefined;
  const start = async (
    runtime: Runtime,
    kind: ServerKind,
    label: string,
    command: string[],
    extra: { cgroup?: MemoryCgroup; env?: Record<string, string> } = {},
  ) => {
    const id = `${runtime.label} ${label}`;
    const child = await startServerProcess({
      command,
      upstreamUrl: fake.url,
      name: id,
      // scripts/start.sh runs the first `node` on the PATH.
      env: { PATH: `${path.dirname(runtime.node)}:${process.env.PATH ?? ''}`, ...extra.env },
    });
    const rss = processMemory(child.pid)?.rssBytes;
    const server = {
      id,
      runtime,
      kind,
      process: child,
      cgroup: extra.cgroup,
      startRssMb: rss && rss / 2 ** 20,
    };
    servers.push(server);
    return server;
  };
  const pin = pinnedTo(options.core);
  try {
    for (const [index, runtime] of options.runtimes.entries()) {
      options.log(`starting the servers on ${runtime.label}`);
      const gateway = await start(runtime, 'gateway', 'gateway', [
        ...pin,
        'sh',
        START_SCRIPT,
        ...settings.gatewayNodeArgs,
      ]);
      if (settings.memoryLimitMib > 0) {
        const name = `gateway-bench-${process.pid}-${index}`;
        const cgroup = createMemoryCgroup(name, settings.memoryLimitMib * 2 ** 20);
        if (typeof cgroup === 'string') options.log(`no memory-limited gateway: ${cgroup}`);
        else {
          await start(
            runtime,
            'limited',
            `gateway, ${settings.memoryLimitMib} MiB`,
            [...cgroup.enter, ...pin, 'sh', START_SCRIPT, ...settings.gatewayNodeArgs],
            { cgroup },
          ).catch((error: unknown) => {
            cgroup.remove();
            throw error;
          });
        }
      }
      if (settings.compare) {
        const { entry } = settings.compare;
        const nodeArgs = [...settings.gatewayNodeArgs, ...settings.compare.nodeArgs];
        await start(
          runtime,
          'compare',
          'gateway B',
          entry
            ? [...pin, runtime.node, ...baseFlags, ...nodeArgs, entry]
            : [...pin, 'sh', START_SCRIPT, ...nodeArgs],
        );
      }
      // The floor makes the gateway's upstream call for the page: recorded from the gateway.
      floorPath ??= await page20UpstreamCall(gateway.process.url, fake);
      await start(
        runtime,
        'floor',
        'floor',
        [...pin, runtime.node, ...baseFlags, options.floorEntry],
        {
          env: { FLOOR_UPSTREAM_PATH: floorPath },
        },
      );
    }
  } catch (error) {
    await stopServers(servers);
    throw error;
  }
  return servers;
}

/** Stops every server and removes the memory cgroups. */
export async function stopServers(servers: readonly BenchServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.process.stop()));
  for (const server of servers) server.cgroup?.remove();
}

/** The flags scripts/start.sh gives node outside a memory limit (`--print-flags`). */
export function startScriptFlags(): string[] {
  const answer = spawnSync('sh', [START_SCRIPT, '--print-flags'], { encoding: 'utf8' });
  if (answer.status !== 0) throw new Error(`${START_SCRIPT} --print-flags: ${answer.stderr}`);
  return answer.stdout.trim().split(/\s+/).filter(Boolean);
}
