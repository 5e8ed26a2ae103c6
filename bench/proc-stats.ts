/** CPU time, memory and machine load read from Linux's /proc; undefined where /proc is missing. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`; 100 when it cannot be asked). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isInteger(answer) && answer > 0 ? answer : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** User plus system CPU time a process (all its threads) has used so far, in ms. */
export function processCpuMs(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return Number.isFinite(ticks) ? (ticks * 1000) / clockTicksPerSecond() : undefined;
}

/** A process's resident set now (`VmRSS`) and its peak since start (`VmHWM`), in bytes. */
export function processMemory(pid: number): { rssBytes: number; peakRssBytes: number } | undefined {
  const status = readProc(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  const rss = kib('VmRSS');
  const peak = kib('VmHWM');
  if (!Number.isFinite(rss)) return undefined;
  return { rssBytes: rss * 1024, peakRssBytes: (Number.isFinite(peak) ? peak : rss) * 1024 };
}

/** CPU time all processes on the machine have spent busy (not idle or waiting for I/O), in ms. */
export function machineBusyCpuMs(): number | undefined {
  const line = readProc('/proc/stat')?.split('\n', 1)[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  return Number.isFinite(busy) ? (busy * 1000) / clockTicksPerSecond() : undefined;
}

/** Samples a process's resident set every `intervalMs` until stopped; `stop()` gives the peak. */
export function sampleRss(pid: number, intervalMs = 100): { stop(): number | undefined } {
  let peak: number | undefined;
  const sample = () => {
    const rss = processMemory(pid)?.rssBytes;
    if (rss !== undefined) peak = Math.max(peak ?? 0, rss);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/**
 * Watches the CPU a measurement costs: the loaded server's own (gateway or floor; none when the
 * fake is loaded directly), the bench driver's, and what every other process on the machine used
 * meanwhile (other agents' tests: the noise in the numbers).
 */
export function watchCpu(serverPid: number | undefined): {
  stop(): { serverMs?: number; driverMs?: number; othersMs?: number; wallMs: number };
} {
  const started = performance.now();
  const server0 = serverPid === undefined ? undefined : processCpuMs(serverPid);
  const driver0 = processCpuMs(process.pid);
  const machine0 = machineBusyCpuMs();
  return {
    stop() {
      const wallMs = performance.now() - started;
      const server1 = serverPid === undefined ? undefined : processCpuMs(serverPid);
      const driver1 = processCpuMs(process.pid);
      const machine1 = machineBusyCpuMs();
      const serverMs =
        server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
      const driverMs =
        driver0 !== undefined && driver1 !== undefined ? driver1 - driver0 : undefined;
      const othersMs =
        machine0 !== undefined && machine1 !== undefined && driverMs !== undefined
          ? Math.max(0, machine1 - machine0 - driverMs - (serverMs ?? 0))
          : undefined;
      return { serverMs, driverMs, othersMs, wallMs };
    },
  };
}
