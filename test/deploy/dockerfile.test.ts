import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';
import type { Stage } from './dockerfile.js';
import { envOf, execForm, parseDockerfile } from './dockerfile.js';
import { nodeBinary, nodeImageMajor } from './node-binary.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const stages = parseDockerfile(new URL('Dockerfile', `file://${ROOT}`));
const [buildStage, finalStage] = [stages[0]!, stages.at(-1)!];
const instructions = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword);

// npm as the test's own npm run would not configure it, preferring the local cache.
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|VITEST|NODE_ENV$|NODE_OPTIONS$)/i.test(name)) continue;
    env[name] = value;
  }
  return { ...env, npm_config_prefer_offline: 'true', ...extra };
}

// PATH with the directory of a Node.js binary first, as `node` and npm's shebangs find it.
const pathWith = (node: string) =>
  `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`;

interface Replayed {
  dir: string;
  workdir: string;
  env: Record<string, string>;
}

/**
 * Replays one stage without Docker: its WORKDIR is a fresh empty folder; COPY takes files from the
 * build context (a clean clone) or, with --from, from an earlier replayed stage; RUN runs the
 * command with `sh -c` there, with the image's Node.js first on the PATH (cache mounts do not
 * matter outside Docker).
 */
function replay(
  stage: Stage,
  context: string,
  done: Map<string, Replayed>,
  node: string,
): Replayed {
  const state: Replayed = {
    dir: mkdtempSync(path.join(tmpdir(), 'gw-stage-')),
    workdir: '/',
    env: {},
  };
  const inStage = (target: string, replayed: Replayed) =>
    path.join(
      replayed.dir,
      path.relative(replayed.workdir, path.resolve(replayed.workdir, target)),
    );
  for (const { keyword, flags, args } of stage.instructions) {
    if (keyword === 'WORKDIR') state.workdir = path.resolve(state.workdir, args);
    else if (keyword === 'ENV') Object.assign(state.env, envOf(args));
    else if (keyword === 'COPY') {
      const parts = args.split(/\s+/);
      const destination = parts.pop()!;
      const from = flags.from === undefined ? undefined : done.get(flags.from);
      if (flags.from !== undefined && !from) throw new Error(`unknown stage ${flags.from}`);
      for (const source of parts) {
        const sourcePath = from ? inStage(source, from) : path.join(context, source);
        const target = destination.endsWith('/')
          ? path.join(inStage(destination, state), path.basename(source))
          : inStage(destination, state);
        mkdirSync(path.dirname(target), { recursive: true });
        cpSync(sourcePath, target, { recursive: true });
      }
    } else if (keyword === 'RUN') {
      execFileSync('sh', ['-c', args], {
        cwd: state.dir,
        env: cleanEnv({ ...state.env, PATH: pathWith(node) }),
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 600_000,
      });
    }
  }
  return state;
}

// Every file below `dir` with its size and mtime (to see that starting wrote nothing).
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stat = statSync(file);
      return `${file} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}

describe('Dockerfile', () => {
  it('has a named build stage and a final stage on a current Node LTS image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(buildStage.name).toBeDefined();
    expect(finalStage.image).toMatch(/^node:(22|24|26)(\.[\d.]+)?(-[\w.-]+)?$/);
  });

  it('runs as a non-root user, listens on 0.0.0.0, and uses JSON forms', () => {
    const user = instructions(finalStage, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const env = Object.assign({}, ...instructions(finalStage, 'ENV').map((i) => envOf(i.args)));
    expect(env).toMatchObject({ HOST: '0.0.0.0', NODE_ENV: 'production' });
    // The start script execs node with flags sized to the container's memory limit.
    expect(execForm(instructions(finalStage, 'CMD').at(-1)!.args)).toEqual([
      'sh',
      'scripts/start.sh',
    ]);
    const healthcheck = instructions(finalStage, 'HEALTHCHECK').at(-1)!.args;
    expect(healthcheck).toMatch(/^CMD \[/);
    expect(execForm(healthcheck.slice('CMD '.length))[0]).toBe('node');
  });

  it('installs production dependencies only in the final stage, without scripts', () => {
    const installs = instructions(finalStage, 'RUN').map((run) => run.args);
    expect(installs).toEqual([expect.stringMatching(/^npm ci --omit=dev --ignore-scripts\b/)]);
  });
});

// The final stage, replayed from a clean clone: build as the build stage does, copy what the final
// stage copies into an empty folder, install, start its CMD against the fake authentik. Every stage
// runs on the image's Node.js major (the npm registry's `node` package when it is not this one).
describe('the final stage, replayed without Docker from a clean clone', () => {
  const scratch: string[] = [];
  let node: string;
  let final: Replayed;
  let fake: FakeAuthentik;
  let child: ReturnType<typeof spawn> | undefined;
  let base: string;
  let env: Record<string, string>;
  let before: string[];
  const lines: string[] = [];

  beforeAll(async () => {
    const clone = mkdtempSync(path.join(tmpdir(), 'gw-clone-'));
    scratch.push(clone);
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone]);
    node = nodeBinary(nodeImageMajor(finalStage.image), cleanEnv());
    const done = new Map<string, Replayed>();
    for (const stage of stages) {
      const replayed = replay(stage, clone, done, node);
      scratch.push(replayed.dir);
      if (stage.name) done.set(stage.name, replayed);
      final = replayed;
    }
    before = snapshot(final.dir);

    fake = await startFakeAuthentik({ host: '127.0.0.1', port: 0 });
    // The image's environment, with a loopback address and a free port for the test.
    env = {
      PATH: pathWith(node),
      ...final.env,
      HOST: '127.0.0.1',
      PORT: '0',
      AUTHENTIK_URL: fake.url,
    };
    const [command, ...args] = execForm(instructions(finalStage, 'CMD').at(-1)!.args);
    child = spawn(command === 'node' ? node : command!, args, {
      cwd: final.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const listening = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        lines.push(line);
        if (line.includes('listening')) resolve(line);
      });
      child!.once('exit', (code) => reject(new Error(`CMD exited with ${code}: ${stderr}`)));
    });
    base = `http://127.0.0.1:${(JSON.parse(listening) as { port: number }).port}`;
  }, 900_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      const kill = setTimeout(() => child!.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(kill);
    }
    await fake?.close();
    // Two node_modules trees: removing them takes a while on a busy machine.
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it('holds dist/ and production dependencies, no sources and no dev tools', () => {
    expect(existsSync(path.join(final.dir, 'dist/main.js'))).toBe(true);
    expect(existsSync(path.join(final.dir, 'node_modules/graphql-yoga'))).toBe(true);
    for (const absent of ['src', 'test', 'node_modules/typescript', 'node_modules/vitest']) {
      expect(existsSync(path.join(final.dir, absent)), absent).toBe(false);
    }
  });

  it('serves a query against authentik', async () => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query: '{ refreshTokens(first: 3) { totalCount nodes { pk } } }' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      errors?: unknown;
      data: { refreshTokens: { totalCount: number; nodes: unknown[] } };
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.refreshTokens.totalCount).toBe(300);
    expect(body.data.refreshTokens.nodes).toHaveLength(3);
    expect(lines.join('\n')).not.toMatch(/demo mode/i);
  });

  it('runs on the Node.js major of its image', async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const major = /^nodejs_version_info\{[^}]*major="(\d+)"/m.exec(metrics)?.[1];
    expect(Number(major)).toBe(nodeImageMajor(finalStage.image));
  });

  it('passes its HEALTHCHECK command, which needs nothing but node', () => {
    const healthcheck = instructions(finalStage, 'HEALTHCHECK').at(-1)!.args;
    const [command, ...args] = execForm(healthcheck.slice('CMD '.length));
    const port = new URL(base).port;
    const result = spawnSync(command === 'node' ? node : command!, args, {
      cwd: final.dir,
      env: { ...env, PORT: port },
      timeout: 10_000,
    });
    expect(result.status).toBe(0);
  });

  it('wrote nothing into its folder while starting and serving (read-only root filesystem)', () => {
    expect(snapshot(final.dir)).toEqual(before);
  });
});
