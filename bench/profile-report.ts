import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderByPackage, renderEntries, summariseProfile } from './cpuprofile-summary.js';
import type { CpuProfile } from './cpuprofile-summary.js';

/**
 * Summarises the CPU profile the gateway (process `pid`) wrote into `dir` at exit (node names it
 * `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`): self time by package with each package's
 * top functions, then the top functions overall. Writes it to `<dir>/summary-<pid>.md` and returns it.
 */
export function summariseGatewayProfile(dir: string, pid: number): string {
  const file = readdirSync(dir).find(
    (name) => name.endsWith('.cpuprofile') && name.includes(`.${pid}.`),
  );
  if (!file) return `no CPU profile of process ${pid} in ${dir}`;
  const profilePath = path.join(dir, file);
  const summary = summariseProfile(JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile);
  const text = [
    `# CPU profile of the gateway: ${profilePath}`,
    `${(summary.totalMs / 1000).toFixed(1)} s busy, ${(summary.idleMs / 1000).toFixed(1)} s idle ` +
      '(shares are of busy time; the warm-up is included)',
    '',
    renderByPackage(summary),
    '',
    renderEntries('self time by function', summary.self, 25),
  ].join('\n');
  const summaryFile = path.join(dir, `summary-${pid}.md`);
  writeFileSync(summaryFile, `${text}\n`);
  return `${text}\n\nwritten to ${summaryFile}`;
}
