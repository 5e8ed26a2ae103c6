import { UpstreamError } from './upstream-error.js';

interface Ask {
  list: ListBudget;
  calls: number;
  /** A list's first call: asked before anything about the list is known. */
  first: boolean;
  resolve(): void;
  reject(error: UpstreamError): void;
}

/**
 * One GraphQL operation's budget of calls to authentik (MAX_COST), spent in rounds so that an
 * operation that needs too much is refused after about one call per list, not after its budget.
 *
 * - Every list (a connection) asks for its first calls when it starts. The lists that start in
 *   the same turn (siblings, or the rows of one page) are decided together on the next turn.
 * - A list whose first answer shows it needs more (a scan: authentik's count says how many pages
 *   it must read) asks for those calls and waits until no list's first answer is still awaited:
 *   first pages are read before follow-up pages.
 * - Asks are granted only while the operation's known need (calls made, promised and asked)
 *   stays within the budget. Otherwise they are refused with `over-budget` and `found`, the
 *   operation's known need: the fields that needed them fail, and no list is half read.
 *
 * Calls no list has asked for (lookups, a window's second page) are made while calls made plus
 * calls promised stay below the budget. So an operation never makes more than `maxCalls` calls.
 */
export class RequestBudget {
  /** Calls made (a call joined to an identical one in flight counts: the count is our own). */
  private made = 0;
  /** Calls granted to lists and not made yet. */
  private promised = 0;
  /** Lists whose first answer has not arrived: their need is not known yet. */
  private listsUnknown = 0;
  /** Calls refused so far (they still count in what the operation needs). */
  private refused = 0;
  private asks: Ask[] = [];
  private decisionQueued = false;

  /** `maxCalls`: MAX_COST (Infinity: no limit). */
  constructor(readonly maxCalls: number) {}

  /**
   * A list starts: resolves once its first calls (what it reads before any answer, default 1)
   * are granted, with its siblings', on the next turn; rejects with `over-budget` when the
   * operation cannot afford them. Close it when done.
   */
  async openList(firstCalls = 1): Promise<ListBudget> {
    const list = new ListBudget(this);
    this.listsUnknown++;
    await this.ask(list, firstCalls, true);
    return list;
  }

  /**
   * Counts one call before it is sent: from `list`'s promised calls when it has some, else from
   * what no list was promised. Throws `over-budget` (the call is not sent) when none is left.
   */
  spend(list?: ListBudget): void {
    if (list && list.promised > 0) {
      list.promised--;
      this.promised--;
    } else if (this.made + this.promised >= this.maxCalls) {
      throw overBudget(this.maxCalls, this.made + this.promised + 1, false);
    }
    this.made++;
  }

  /** @internal (ListBudget) */
  ask(list: ListBudget, calls: number, first: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.asks.push({ list, calls, first, resolve, reject });
      this.queueDecision();
    });
  }

  /** @internal (ListBudget): the list's need is known now (it asked for more, or it is done). */
  listKnown(): void {
    this.listsUnknown--;
    if (this.asks.length > 0) this.queueDecision();
  }

  /** @internal (ListBudget): the list is done; what it was promised and did not use is free. */
  release(calls: number): void {
    this.promised -= calls;
  }

  // On the next turn, so that every list started in this one is decided with the others.
  private queueDecision(): void {
    if (this.decisionQueued) return;
    this.decisionQueued = true;
    setImmediate(() => {
      this.decisionQueued = false;
      this.decide();
    });
  }

  private decide(): void {
    // A list's first call is decided at once: its answer is what tells the list's need.
    const firsts = this.asks.filter((ask) => ask.first);
    if (firsts.length > 0) this.settle(firsts);
    // Follow-ups once every list's need is known, so that a refusal tells the whole need.
    const later = this.asks.filter((ask) => !ask.first);
    if (later.length > 0 && this.listsUnknown === 0) this.settle(later);
  }

  // Grants `asks` when the operation can afford every call it is known to need, else refuses
  // them, telling that need (with what was refused before: `found` covers the whole operation).
  private settle(asks: Ask[]): void {
    this.asks = this.asks.filter((ask) => !asks.includes(ask));
    const asked = asks.reduce((sum, ask) => sum + ask.calls, 0);
    const pending = this.asks.reduce((sum, ask) => sum + ask.calls, 0);
    const needed = this.made + this.promised + asked + pending;
    if (needed <= this.maxCalls) {
      for (const ask of asks) {
        ask.list.promised += ask.calls;
        this.promised += ask.calls;
        ask.resolve();
      }
      return;
    }
    const refusal = overBudget(this.maxCalls, needed + this.refused, true);
    this.refused += asked;
    for (const ask of asks) {
      if (ask.first) ask.list.known();
      ask.reject(refusal);
    }
  }
}

/** One list's share of its operation's budget (see {@link RequestBudget}). */
export class ListBudget {
  /** Calls granted to this list and not made yet. */
  promised = 0;
  private needKnown = false;
  private closed = false;

  constructor(private readonly budget: RequestBudget) {}

  /**
   * This list will make `calls` more calls: resolves once they are granted (at once when already
   * promised), after the first answers of the operation's other lists are in; rejects with
   * `over-budget` (and `found`) when the operation's known need passes its budget.
   */
  async need(calls: number): Promise<void> {
    this.known();
    if (calls > this.promised) await this.budget.ask(this, calls - this.promised, false);
  }

  /** Done: frees what it was promised and did not use. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.known();
    this.budget.release(this.promised);
    this.promised = 0;
  }

  /** @internal */
  known(): void {
    if (this.needKnown) return;
    this.needKnown = true;
    this.budget.listKnown();
  }
}

function overBudget(maxCalls: number, found: number, early: boolean): UpstreamError {
  return new UpstreamError(
    'over-budget',
    early
      ? `the operation needs at least ${found} calls, more than ${maxCalls}`
      : 'the operation has no upstream calls left',
    { maxCalls, found, refusedEarly: early },
  );
}
