/**
 * Slows down password guessing: failed sign-ins are counted per account (the email typed, so
 * unknown and known emails behave alike) and per client address, in a sliding window kept in
 * memory. One IdP process is the whole deployment here; a cluster would need a shared store.
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

  /** Records a failure for `key`. */
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
  /** Milliseconds to wait before this email/address pair may try again (0: go ahead). */
  retryAfter(email: string, address: string): number;
  failed(email: string, address: string): void;
  succeeded(email: string): void;
}

export function createLoginLimiter(limits: LoginLimits = {}): LoginLimiter {
  const windowMs = limits.windowMs ?? 15 * 60 * 1000;
  const accounts = new SlidingWindow({ limit: limits.perAccount ?? 5, windowMs, now: limits.now });
  const addresses = new SlidingWindow({ limit: limits.perAddress ?? 20, windowMs, now: limits.now });
  return {
    retryAfter: (email, address) => Math.max(accounts.retryAfter(email), addresses.retryAfter(address)),
    failed(email, address) {
      accounts.hit(email);
      addresses.hit(address);
    },
    succeeded: (email) => accounts.reset(email),
  };
}
