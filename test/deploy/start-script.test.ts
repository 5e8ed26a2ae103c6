/**
 * scripts/start.sh (`npm start`, the image's CMD) sizes node's heap to the container's memory
 * limit. The cgroup files are faked in a folder (CGROUP_FS) for v1 and v2; where the test runs as
 * root with the v1 memory controller, one case joins a real 256 MiB cgroup, as a pod would.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/start.sh', import.meta.url));
const MIB = 1024 * 1024;
const BASE = '--max-semi-space-size=16 --single-threaded-gc';
// Under a limit: the old generation's cap, and a growing factor of 2 below 1 GiB of it.
const sized = (oldMib: number) =>
  `${BASE} --max-old-space-size=${oldMib}${oldMib < 1024 ? ' --heap-growing-percent=100' : ''}`;

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

// A cgroup filesystem with only the given files, e.g. { 'memory.max': '268435456' }.
function fakeCgroupFs(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'gw-cgroup-'));
  scratch.push(root);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), `${content}\n`);
  }
  return root;
}

function printFlags(env: Record<string, string>, prefix: string[] = []): string {
  const [command, ...args] = [...prefix, 'sh', SCRIPT, '--print-flags'];
  const answer = spawnSync(command!, args, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  expect(answer.stderr).toBe('');
  expect(answer.status).toBe(0);
  return answer.stdout.trim();
}

const v1 = (limit: string) =>
  fakeCgroupFs({
    'memory/memory.limit_in_bytes': limit,
    'memory/memory.stat': `cache 0\nrss 0\nhierarchical_memory_limit ${limit}\n`,
  });
const v2 = (max: string) => fakeCgroupFs({ 'cgroup.controllers': 'cpu memory', 'memory.max': max });

describe('scripts/start.sh: node flags from the memory limit', () => {
  it.each([
    ['no cgroup files at all', fakeCgroupFs({}), BASE],
    ['cgroup v1 without a limit', v1('9223372036854771712'), BASE],
    ['cgroup v2 without a limit', v2('max'), BASE],
    ['cgroup v1, 256 MiB', v1(String(256 * MIB)), sized(128)],
    ['cgroup v2, 256 MiB', v2(String(256 * MIB)), sized(128)],
    ['cgroup v2, 1 GiB', v2(String(1024 * MIB)), sized(896)],
    ['cgroup v1, 4 GiB', v1(String(4096 * MIB)), sized(3968)],
    ['cgroup v2, 160 MiB (too small: the floor)', v2(String(160 * MIB)), sized(64)],
  ])('%s', (_name, root, flags) => {
    expect(printFlags({ CGROUP_FS: root })).toBe(flags);
  });

  it('a --max-old-space-size in NODE_OPTIONS wins over the derived one', () => {
    const root = v2(String(256 * MIB));
    expect(printFlags({ CGROUP_FS: root, NODE_OPTIONS: '--max-old-space-size=200' })).toBe(BASE);
  });

  // The bench's cgroup.ts does the same to run the gateway under a limit.
  const own = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(
    readFileSync('/proc/self/cgroup', 'utf8'),
  )?.[1];
  const parent = own === undefined ? undefined : path.join('/sys/fs/cgroup/memory', own);
  const canCreate =
    process.getuid?.() === 0 &&
    parent !== undefined &&
    existsSync(path.join(parent, 'cgroup.procs'));

  it.skipIf(!canCreate)('inside a real 256 MiB cgroup (v1), as a container starts it', () => {
    const dir = path.join(parent!, `start-script-test-${process.pid}`);
    mkdirSync(dir);
    try {
      writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(256 * MIB));
      const enter = ['sh', '-c', 'echo $$ > "$0" && exec "$@"', path.join(dir, 'cgroup.procs')];
      expect(printFlags({}, enter)).toBe(sized(128));
    } finally {
      rmdirSync(dir);
    }
  });
});
