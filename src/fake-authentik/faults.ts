/** The FIFO of injected faults. */
import type { FaultSpec } from './types.js';

/** Faults in arrival order; the first one matching a request's path applies to it. */
export class FaultQueue {
  private readonly entries: { spec: FaultSpec; remaining: number }[] = [];

  /** Queues a fault (active for `spec.times` matching requests, default unlimited). */
  add(spec: FaultSpec): void {
    this.entries.push({ spec: { ...spec }, remaining: spec.times ?? Number.POSITIVE_INFINITY });
  }

  /** Removes every queued fault. */
  clear(): void {
    this.entries.length = 0;
  }

  /** Consumes and returns the fault for a request to `path`, if any. */
  take(path: string): FaultSpec | undefined {
    const index = this.entries.findIndex(
      (e) => e.remaining > 0 && path.startsWith(e.spec.pathPrefix ?? '/api/v3'),
    );
    const entry = this.entries[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.splice(index, 1);
    return entry.spec;
  }
}
