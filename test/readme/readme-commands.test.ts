import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_QUERY } from '../../src/demo.js';
import { ADMIN_TOKEN } from '../../src/fake-authentik/data.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// A port that was free a moment ago (the entry point needs a concrete PORT to listen on).
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('README quick start', () => {
  const readme = () => readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');

  it.each(['npm ci && npm start', 'npm test'])(
    'README.md tells the reader to run `%s`',
    (command) => {
      expect(readme()).toContain(command);
    },
  );

  const scripts = () =>
    (
      JSON.parse(readFileSync(new URL('package.json', `file://${ROOT}`), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;

  it('`npm test` runs vitest', () => {
    expect(scripts().test).toMatch(/vitest/);
  });

  // `npm ci` runs `prepare`: the build happens once, and `npm start` needs neither tsc nor a
  // writable dist/ (so it runs after `npm ci --omit=dev` and on a read-only filesystem).
  it('`npm ci` builds (prepare) and `npm start` only starts node on dist/', () => {
    expect(scripts().prepare).toMatch(/\bbuild\b/);
    // The start script (also the image's CMD) only picks node's flags, then execs node.
    expect(scripts().start).toBe('sh scripts/start.sh');
    const script = readFileSync(new URL('scripts/start.sh', `file://${ROOT}`), 'utf8');
    expect(script).toMatch(/^exec node .*dist\/main\.js"$/m);
  });
});

// The real commands a newcomer runs: `npm ci` (whose prepare step builds dist/), then `npm start`.
describe('npm start in demo mode (no AUTHENTIK_URL)', () => {
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    // What `npm ci` ran (its prepare step), so that dist/ is built from this tree.
    const build = spawnSync('npm', ['run', 'prepare', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr + build.stdout).toBe(0);
    const port = await freePort();
    // npm runs the gateway as its child: a process group lets afterAll stop both.
    url = `http://127.0.0.1:${port}/graphql`;
    child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway did not start: ${output}`)), 90_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/listening/i.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`gateway exited with ${code}: ${output}`));
      });
    });
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  });

  it('says it is in demo mode and where it listens (default HOST 127.0.0.1)', () => {
    expect(output).toMatch(/demo/i);
    expect(output).toContain(url);
  });

  it('answers the demo query with the demo token', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query: DEMO_QUERY }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      errors?: unknown;
      data: { refreshTokens: { totalCount: number; nodes: { pk: number }[] } };
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.refreshTokens.totalCount).toBe(300);
    expect(body.data.refreshTokens.nodes).toHaveLength(10);
  });

  it('serves GraphiQL to a browser', async () => {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/graphiql/i);
  });
});
