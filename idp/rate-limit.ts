/**
 * Slows down password guessing: sign-in attempts are counted per account (the email typed, so
 * unknown and known emails behave alike) and per client address, in a sliding window kept in
 * memory. One IdP process is the whole deployment here; a cluster would need a shared store.
 *
 * An attempt is counted *before* its password is checked and given back when it succeeds, in
 * one synchronous step with the limit check: however many posts arrive at once, at most `limit`
 * of them are ever judged in a window (checking first and counting after the slow password
 * hash let 40 parallel guesses through a limit of 5).
 */

export interface SlidingWindowOptions {
  /** Failures allowed inside the window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /** Keys remembered at most; the oldest are forgotten first. Default: 10000 */
  maxKeys?: number;
  /** Clock, for tests. Default: Date.now */
  now?: () => number;
}

export class SlidingWindow {
  readonly #hits = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: SlidingWindowOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > since);
    if (hits.length) this.#hits.set(key, hits);
    else this.#hits.delete(key);
    return hits;
  }

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string): number {
    const hits = this.#recent(key);
    if (hits.length < this.#limit) return 0;
    const oldestThatCounts = hits[hits.length - this.#limit] ?? this.#now();
    return Math.max(1, oldestThatCounts + this.#windowMs - this.#now());
  }

  /** Gives back the most recent hit of `key` (an attempt that turned out not to count). */
  giveBack(key: string): void {
    const hits = this.#recent(key);
    hits.pop();
    if (!hits.length) this.#hits.delete(key);
  }

  /** Records a hit for `key`. */
  hit(key: string): void {
    const hits = this.#recent(key);
    hits.push(this.#now());
    this.#hits.delete(key);
    this.#hits.set(key, hits);
    while (this.#hits.size > this.#maxKeys) {
      const oldest = this.#hits.keys().next().value;
      if (oldest === undefined) break;
      this.#hits.delete(oldest);
    }
  }

  reset(key: string): void {
    this.#hits.delete(key);
  }
}

/** Limits for the login form. */
export interface LoginLimits {
  /** Failures per account (email) per window. Default: 5 */
  perAccount?: number;
  /** Failures per client address per window. Default: 20 */
  perAddress?: number;
  /** Window length in milliseconds. Default: 15 minutes */
  windowMs?: number;
  now?: () => number;
}

export interface LoginLimiter {
  /**
   * Counts an attempt for this email and address before its password is checked. Returns 0 when
   * it may go ahead (and is now counted as a failure until given back), otherwise the
   * milliseconds to wait (nothing counted).
   */
  reserve(email: string, address: string): number;
  /** The reserved attempt signed in: the address gets it back and the account starts afresh. */
  succeeded(email: string, address: string): void;
  /** The reserved attempt could not be judged (an error, not a wrong password): give it back. */
  release(email: string, address: string): void;
}

export function createLoginLimiter(limits: LoginLimits = {}): LoginLimiter {
  const windowMs = limits.windowMs ?? 15 * 60 * 1000;
  const accounts = new SlidingWindow({ limit: limits.perAccount ?? 5, windowMs, now: limits.now });
  const addresses = new SlidingWindow({ limit: limits.perAddress ?? 20, windowMs, now: limits.now });
  return {
    reserve(email, address) {
      // Check both before counting either, so a refused attempt costs neither window anything.
      const wait = Math.max(accounts.retryAfter(email), addresses.retryAfter(address));
      if (wait > 0) return wait;
      accounts.hit(email);
      addresses.hit(address);
      return 0;
    },
    succeeded(email, address) {
      accounts.reset(email);
      addresses.giveBack(address);
    },
    release(email, address) {
      accounts.giveBack(email);
      addresses.giveBack(address);
    },
  };
}
