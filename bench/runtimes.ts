import { spawnSync } from 'node:child_process';

/** A Node.js the gateway and the floor run on. */
export interface Runtime {
  /** e.g. `Node 20.20.2`. */
  label: string;
  /** The node binary. */
  node: string;
}

/**
 * Resolves BENCH_RUNTIMES entries: `machine` is the node running the bench; a major version
 * (`24`) is npm's `node` package of that version, fetched once by `npx -y -p node@24` (the
 * runtime the Dockerfile ships). Throws naming the entry that cannot be had.
 */
export function resolveRuntimes(specs: readonly string[]): Runtime[] {
  return specs.map((spec) => {
    const node = spec === 'machine' ? process.execPath : npmNode(spec);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (!version) throw new Error(`BENCH_RUNTIMES: ${node} (from "${spec}") does not run`);
    return { label: `Node ${version.replace(/^v/, '')}`, node };
  });
}

function npmNode(major: string): string {
  if (!/^\d+$/.test(major)) {
    throw new Error(`BENCH_RUNTIMES entries are "machine" or a major version, got "${major}"`);
  }
  const answer = spawnSync('npx', ['-y', '-p', `node@${major}`, 'node', '-p', 'process.execPath'], {
    encoding: 'utf8',
  });
  const node = answer.stdout.trim();
  if (answer.status !== 0 || !node) {
    throw new Error(`BENCH_RUNTIMES: npx -p node@${major} failed: ${answer.stderr.slice(0, 500)}`);
  }
  return node;
}
