import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

/** How often the watch expects to run, in ms; running this much later or more is a stall. */
const TICK_MS = 25;
/** Stalls remembered, newest kept: enough for any upstream deadline, bounded whatever happens. */
const REMEMBERED_STALLS = 256;

interface Stall {
  from: number;
  to: number;
}

/** Watches the gateway's own event loop: how late it runs, and when it did not run at all. */
export interface EventLoopWatch {
  /**
   * Milliseconds the loop was blocked (ran `TICK_MS` or more late) between `since`, a
   * `performance.now()` time, and now, including a stall that is ending as this is asked.
   */
  stalledMsSince(since: number): number;
  /** Milliseconds the loop was blocked since the watch started. */
  readonly stalledMsTotal: number;
  /** Node's event-loop delay histogram (nanoseconds), for /metrics. */
  readonly delay: IntervalHistogram;
  /** Stops watching (the timer and the histogram). */
  stop(): void;
}

const overlap = (stall: Stall, from: number, to: number) =>
  Math.max(0, Math.min(stall.to, to) - Math.max(stall.from, from));

/**
 * Starts watching the event loop: `perf_hooks.monitorEventLoopDelay` for the delay's
 * distribution, and a timer that runs every `TICK_MS` and records each time it ran a tick or more
 * late as a stall (from when it should have run to when it did), so that a deadline that passed
 * can be asked whether the gateway itself was blocked meanwhile. The timer does not keep the
 * process alive.
 */
export function watchEventLoop(): EventLoopWatch {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const stalls: Stall[] = [];
  let stalledMsTotal = 0;
  let lastTick = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const due = lastTick + TICK_MS;
    if (now - due >= TICK_MS) {
      if (stalls.length >= REMEMBERED_STALLS) stalls.shift();
      stalls.push({ from: due, to: now });
      stalledMsTotal += now - due;
    }
    lastTick = now;
  }, TICK_MS);
  timer.unref();
  return {
    delay,
    get stalledMsTotal() {
      return stalledMsTotal;
    },
    stalledMsSince(since) {
      const now = performance.now();
      let stalled = 0;
      for (const stall of stalls) stalled += overlap(stall, since, now);
      // The caller's timer may run before this watch's late tick: count that stall too.
      const due = lastTick + TICK_MS;
      if (now - due >= TICK_MS) stalled += overlap({ from: due, to: now }, since, now);
      return stalled;
    },
    stop() {
      clearInterval(timer);
      delay.disable();
    },
  };
}
