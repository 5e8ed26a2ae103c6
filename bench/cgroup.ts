/**
 * A memory limit the way a container gets one: a child of the bench's own cgroup in the v1
 * memory controller (/sys/fs/cgroup/memory; creating one needs root), with memory.limit_in_bytes
 * set. A process joins it before it execs node (see `enter`), so node and the start script see
 * the limit from their first instruction, as in a pod.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const V1_MEMORY = '/sys/fs/cgroup/memory';

export interface MemoryCgroup {
  /** The limit, in bytes. */
  limitBytes: number;
  /** A command prefix that moves itself into the cgroup, then execs the rest of the command. */
  enter: string[];
  /** How many times the kernel's OOM killer killed a process of this cgroup. */
  oomKills(): number;
  /** The cgroup's peak memory use (memory.max_usage_in_bytes: RSS, page cache, kernel memory). */
  peakUsageBytes(): number;
  /** Removes the cgroup (once its processes have exited). */
  remove(): void;
}

/**
 * Creates the cgroup, or says why it cannot (no v1 memory controller, not root) as a string:
 * the bench then runs without its container row.
 */
export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | string {
  const own = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(
    readFileSync('/proc/self/cgroup', 'utf8'),
  )?.[1];
  if (own === undefined) return 'no cgroup v1 memory controller (/proc/self/cgroup)';
  const dir = path.join(V1_MEMORY, own, name);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(limitBytes));
  } catch (error) {
    return `cannot create a memory cgroup at ${dir}: ${(error as Error).message}`;
  }
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  return {
    limitBytes,
    enter: ['sh', '-c', 'echo $$ > "$0" && exec "$@"', path.join(dir, 'cgroup.procs')],
    oomKills: () => Number(/^oom_kill (\d+)$/m.exec(read('memory.oom_control'))?.[1] ?? 0),
    peakUsageBytes: () => Number(read('memory.max_usage_in_bytes')),
    remove() {
      try {
        rmdirSync(dir);
      } catch {
        // A process still in it (a gateway that would not stop): left for the next boot.
      }
    },
  };
}
