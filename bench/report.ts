import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import path from 'node:path';
import type { ScenarioResult } from './measure.js';
import { ROOT } from './processes.js';
import type { BenchSettings } from './settings.js';
import { num, renderDetails, renderHeadline, renderMemory, renderTargets } from './table.js';
import type { Headline, ServerFacts, TargetCheck } from './targets.js';

/** Everything one run found, as written to the JSON file for comparison between runs. */
export interface BenchReport {
  startedAt: string;
  /** `git rev-parse --short HEAD` when the run started, `+dirty` when the tree had changes. */
  commit?: string;
  machine: {
    cpu?: string;
    cores: number;
    kernel: string;
    /** Servers and driver pinned to separate cores with taskset. */
    pinned: boolean;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
  };
  settings: Omit<BenchSettings, 'outFile'>;
  /** The flags scripts/start.sh gave node outside the memory limit. */
  startFlags: string[];
  /** By server id: runtime, kind, memory, how it ended. */
  servers: Record<string, ServerFacts>;
  results: ScenarioResult[];
  headlines: Headline[];
  targets: TargetCheck[];
}

/** The machine as the report describes it, with the load average now. */
export function describeMachine(pinned: boolean): BenchReport['machine'] {
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    kernel: release(),
    pinned,
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [],
  };
}

/** One line on the machine: CPU, what was pinned, load before and after. */
export function describeMachineLine(machine: BenchReport['machine']): string {
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  return (
    `${machine.cores} × ${machine.cpu ?? 'unknown CPU'}, ` +
    `${machine.pinned ? 'servers and driver pinned to separate cores' : 'unpinned'}; ` +
    `load average ${load(machine.loadAverageAtStart)} at start, ` +
    `${load(machine.loadAverageAtEnd)} at end`
  );
}

/** The checked-out commit, or undefined outside a git work tree. */
export function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).length > 0;
    return dirty ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}

/** Writes the report as pretty JSON, atomically (a reader never sees half a file). */
export function writeReport(report: BenchReport, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The report for a terminal or a README: headline, targets, details, memory, the machine. */
export function renderReport(report: BenchReport): string {
  const lines = [
    renderHeadline(report.headlines, report.settings.memoryLimitMib),
    '',
    renderTargets(report.targets),
    '',
    `Every side of every scenario (${report.settings.rounds} turns of ` +
      `${num(report.settings.durationS / report.settings.rounds, 1)} s per side):`,
    '',
    renderDetails(report.results),
    '',
    renderMemory(report.servers),
    '',
    `node flags from scripts/start.sh outside a limit: ${report.startFlags.join(' ')}` +
      (report.settings.gatewayNodeArgs.length > 0
        ? `, then ${report.settings.gatewayNodeArgs.join(' ')}`
        : ''),
    `${report.commit ?? 'no commit'}; ${describeMachineLine(report.machine)}` +
      (report.settings.quick ? '; QUICK run: short runs, rough ratios' : ''),
  ];
  return lines.join('\n');
}
