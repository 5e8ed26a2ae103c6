/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self and inclusive time per function
 * (name + file + line), and self time per package. Usage:
 *   tsx bench/cpuprofile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './processes.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of the `.cpuprofile` JSON the summary reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas: number[];
}

/** Time spent in one function (or package), in ms and as a share of all sampled time. */
export interface TimeEntry {
  key: string;
  ms: number;
  share: number;
  /** Self-time entries: the package the function belongs to (see `packageOf`). */
  pkg?: string;
}

export interface ProfileSummary {
  /** Sampled time the process was busy (everything but `(idle)`). */
  totalMs: number;
  idleMs: number;
  self: TimeEntry[];
  inclusive: TimeEntry[];
  packages: TimeEntry[];
}

const ROOT_URL = `file://${ROOT}/`;

// Short, stable names: repository-relative files, node: built-ins, V8's (program)/(gc) as is.
function shortUrl(url: string): string {
  if (url.startsWith(ROOT_URL)) return url.slice(ROOT_URL.length);
  if (url.startsWith(`${ROOT}/`)) return url.slice(ROOT.length + 1);
  return url;
}

function functionKey(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

// graphql-jit compiles each query with `new Function`: its functions have no file, and these names.
const COMPILED_QUERY =
  /ResolverHandler$|ItemHandler$|__context|^query$|^getGraphQLResolveInfo$|^(?:compiled)?[Qq]uery/;

/** Which package a frame belongs to: `node_modules/<pkg>`, `src/...` top folder, node:, or V8. */
function packageOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  if (!url) {
    if (frame.functionName.startsWith('(')) return frame.functionName;
    if (COMPILED_QUERY.test(frame.functionName)) return 'graphql-jit (compiled query code)';
    if (frame.functionName.startsWith('RegExp: ')) return '(regular expressions)';
    return '(native)';
  }
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return 'node: (built-ins)';
  if (url.startsWith('dist/') || url.startsWith('src/')) return 'gateway (dist/src)';
  return url;
}

function ranked(times: Map<string, number>, totalMs: number): TimeEntry[] {
  return [...times]
    .map(([key, ms]) => ({ key, ms, share: ms / totalMs }))
    .sort((a, b) => b.ms - a.ms);
}

/** Aggregates a profile by function and by package. */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  const packageOfKey = new Map<string, string>();
  let totalMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node || ms <= 0) return;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    totalMs += ms;
    const key = functionKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    const pkg = packageOf(node.callFrame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
    packageOfKey.set(key, pkg);
    // Each function on the stack once, however deep it recurses.
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.functionName === '(root)') continue;
      onStack.add(functionKey(frame));
    }
    for (const stackKey of onStack) inclusive.set(stackKey, (inclusive.get(stackKey) ?? 0) + ms);
  });
  return {
    totalMs,
    idleMs,
    self: ranked(self, totalMs).map((entry) => ({ ...entry, pkg: packageOfKey.get(entry.key) })),
    inclusive: ranked(inclusive, totalMs),
    packages: ranked(packages, totalMs),
  };
}

/** A ranked list of entries as indented text lines under a `## title`. */
export function renderEntries(title: string, entries: readonly TimeEntry[], top: number): string {
  const lines = entries
    .slice(0, top)
    .map(
      (entry) =>
        `${entry.ms.toFixed(0).padStart(8)} ms ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.key}`,
    );
  return [`## ${title}`, ...lines].join('\n');
}

/**
 * Self time by package, and under each of the `topPackages` busiest packages its
 * `topFunctions` busiest functions: where the CPU goes, and in which code of each package.
 */
export function renderByPackage(
  summary: ProfileSummary,
  topPackages = 10,
  topFunctions = 4,
): string {
  const lines = ['## self time by package, with its top functions'];
  for (const pkg of summary.packages.slice(0, topPackages)) {
    lines.push(
      `${pkg.ms.toFixed(0).padStart(8)} ms ${(pkg.share * 100).toFixed(1).padStart(5)}%  ${pkg.key}`,
    );
    const functions = summary.self.filter((entry) => entry.pkg === pkg.key).slice(0, topFunctions);
    for (const entry of functions) {
      lines.push(
        `${''.padStart(16)}${(entry.share * 100).toFixed(1).padStart(5)}%    ${entry.key}`,
      );
    }
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx bench/cpuprofile-summary.ts <file.cpuprofile> [top=25]');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(
    `${file}: ${(summary.totalMs / 1000).toFixed(1)} s busy, ` +
      `${(summary.idleMs / 1000).toFixed(1)} s idle (shares below are of busy time)\n`,
  );
  console.log(renderByPackage(summary));
  console.log();
  console.log(renderEntries('self time by function', summary.self, top));
  console.log();
  console.log(renderEntries('inclusive time by function', summary.inclusive, top));
}
