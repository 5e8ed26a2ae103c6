import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import path from 'node:path';
import type { ScenarioResult } from './measure.js';
import { ROOT } from './processes.js';
import type { BenchSettings } from './settings.js';
import { renderFloorTable, renderResultsTable, renderTargets } from './table.js';
import type { TargetCheck } from './targets.js';

/** Everything one run found, as written to the JSON file for comparison between runs. */
export interface BenchReport {
  startedAt: string;
  /** `git rev-parse --short HEAD` when the run started, `+dirty` when the tree had changes. */
  commit?: string;
  machine: {
    cpu?: string;
    cores: number;
    node: string;
    kernel: string;
    /** Gateway and driver pinned to separate cores with taskset. */
    pinned: boolean;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
  };
  settings: Omit<BenchSettings, 'outFile'> & { gatewayEntry: string };
  /** The gateway's peak resident set over the whole run (VmHWM), in MB. */
  gatewayPeakRssMb?: number;
  /** Resident sets of the gateway and the floor proxy (when it ran). */
  memory: { gateway: ServerMemory; floor?: ServerMemory };
  /** What the gateway wrote to stderr (yoga's logs, warnings). */
  gatewayStderr: { lines: number; head: string[] };
  results: ScenarioResult[];
  targets: TargetCheck[];
}

/** A server process's resident set, in MB (undefined where /proc is missing). */
export interface ServerMemory {
  /** Right after it first answered, before any load. */
  startRssMb?: number;
  /** Its peak over the whole run (VmHWM: warm-up and settling included). */
  peakRssMb?: number;
}

/** The machine as the report describes it, with the load average now. */
export function describeMachine(pinned: boolean): BenchReport['machine'] {
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    kernel: release(),
    pinned,
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [],
  };
}

/** One line on the machine: CPU, node, what was pinned (`pinnedWhat`), load before and after. */
export function describeMachineLine(machine: BenchReport['machine'], pinnedWhat: string): string {
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  return (
    `${machine.cores} × ${machine.cpu ?? 'unknown CPU'}, node ${machine.node}, ` +
    `${machine.pinned ? `${pinnedWhat} pinned to separate cores` : 'unpinned'}; ` +
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

/** The report for a terminal or a README: results table, targets, and how loaded the machine was. */
export function renderReport(report: BenchReport): string {
  const mb = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(0)} MB`);
  const { gateway, floor } = report.memory;
  const floorTable = renderFloorTable(report.results);
  const lines = [
    renderResultsTable(report.results),
    '',
    ...(floorTable
      ? ['The floor (hand-written proxy, no GraphQL), same run:', '', floorTable, '']
      : []),
    renderTargets(report.targets),
    '',
    `resident set right after start / peak over the run: gateway ${mb(gateway.startRssMb)} / ` +
      `${mb(gateway.peakRssMb)}` +
      (floor ? `, floor ${mb(floor.startRssMb)} / ${mb(floor.peakRssMb)}` : ''),
    describeMachineLine(report.machine, 'gateway and driver'),
  ];
  if (report.gatewayStderr.lines > 0) {
    lines.push(
      `the gateway wrote ${report.gatewayStderr.lines} lines to stderr, starting with: ` +
        report.gatewayStderr.head.slice(0, 2).join(' / '),
    );
  }
  return lines.join('\n');
}
