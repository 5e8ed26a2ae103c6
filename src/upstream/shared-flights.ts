/**
 * Collapses identical upstream GETs that are in flight at the same time into one call: a second
 * caller asking for the same path with the same credentials while the first call is still on the
 * wire waits for that call's answer instead of sending its own ("request collapsing").
 *
 * Nothing is kept once a call has answered: a GET sent after the answer arrived is a new call, so
 * an answer is never older than the moment the joining request arrived minus one round trip.
 * `forgetAll` (after a write through the gateway) makes calls in flight unjoinable, so a read that
 * starts after a write never gets an answer fetched before it.
 *
 * The shared call is cancelled only when every caller waiting for it has gone away; one caller
 * leaving rejects only that caller's wait.
 */
export class SharedFlights<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** How many calls are in flight and joinable (for tests and metrics). */
  get size(): number {
    return this.flights.size;
  }

  /**
   * Waits for the call in flight under `key`, or starts one with `start` (which gets a signal
   * that aborts once nobody waits any more). `signal` is this caller's: when it aborts, this
   * caller's wait rejects with its reason.
   */
  join(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>) {
    if (signal?.aborted) return Promise.reject(signal.reason as unknown);
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      flight = { answer: start(controller.signal), controller, waiting: 0 };
      this.flights.set(key, flight);
      const landed = () => this.forget(key, flight!);
      flight.answer.then(landed, landed);
    }
    return this.wait(key, flight, signal);
  }

  /** Calls in flight finish for those already waiting, but nobody new joins them. */
  forgetAll(): void {
    this.flights.clear();
  }

  private wait(key: string, flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiting++;
    // A caller that cannot go away stays a waiter for good: the call is never cancelled under it.
    if (!signal) return flight.answer;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        reject(signal.reason as unknown);
        if (--flight.waiting === 0) {
          this.forget(key, flight);
          flight.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', leave, { once: true });
      flight.answer.then(
        (answer) => {
          signal.removeEventListener('abort', leave);
          resolve(answer);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error);
        },
      );
    });
  }

  private forget(key: string, flight: Flight<T>): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
  }
}

interface Flight<T> {
  answer: Promise<T>;
  controller: AbortController;
  /** Callers waiting that can still go away (those without a signal never leave). */
  waiting: number;
}
