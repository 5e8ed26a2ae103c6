import { execFileSync } from 'node:child_process';

/** The major version of a `node:<major>...` image reference (`node:24-bookworm-slim` → 24). */
export function nodeImageMajor(image: string): number {
  const match = /^node:(\d+)\b/.exec(image);
  if (!match) throw new Error(`not an official Node.js image: ${image}`);
  return Number(match[1]);
}

/**
 * A Node.js binary of `major`: this process's when it is one, else the one in the npm registry's
 * `node@<major>` package, through npx (cached after the first run).
 */
export function nodeBinary(major: number, env: Record<string, string>): string {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  return execFileSync(
    'npx',
    ['-y', '-p', `node@${major}`, '--', 'node', '-p', 'process.execPath'],
    {
      env,
      encoding: 'utf8',
      timeout: 600_000,
    },
  ).trim();
}
