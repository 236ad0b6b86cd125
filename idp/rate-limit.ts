/**
 * Slows down password guessing: sign-in attempts are counted per account (the email typed, so
 * unknown and known emails behave alike) and per client address, in a sliding window kept in
 * memory. One IdP process is the whole deployment here; a cluster would need a shared store.
 *
 * An attempt is counted *before* its password is checked and given back when it succeeds, in
 * one synchronous step with the limit check: however many posts arrive at once, at most `limit`
 * of them are ever judged in a window (checking first and counting after the slow password
 * hash let 40 parallel guesses through a limit of 5).
 *
 * The table of keys has a size, but a key at its limit is never forgotten to make room (else a
 * flood of fresh keys would lift a lock-out); and an IPv6 client counts by its /64, the block
 * one subscriber usually holds, so walking through its own addresses does not escape the limit.
 */
import { isIPv4, isIPv6 } from "node:net";

export interface SlidingWindowOptions {
  /** Failures allowed inside the window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /**
   * Keys remembered before the oldest are forgotten; a key at its limit is never forgotten early
   * (the table then grows past this, by at most what the attempts themselves add). Default: 10000
   */
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
    if (this.#hits.size > this.#maxKeys) this.#evict();
  }

  /** Forgets the oldest keys below their limit (and expired ones) until the table fits again. */
  #evict(): void {
    for (const key of [...this.#hits.keys()]) {
      if (this.#hits.size <= this.#maxKeys) return;
      if (this.#recent(key).length < this.#limit) this.#hits.delete(key);
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

/**
 * The key an address is counted under: an IPv4 address as it is (also when written as an
 * IPv4-mapped IPv6 address), an IPv6 address by its /64 prefix, anything else as it is.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(address)) return address;
  const [bare = ""] = address.toLowerCase().split("%");
  const [head = "", tail = ""] = bare.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = bare.includes("::")
    ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(":")}::/64`;
}

export function createLoginLimiter(limits: LoginLimits = {}): LoginLimiter {
  const windowMs = limits.windowMs ?? 15 * 60 * 1000;
  const accounts = new SlidingWindow({ limit: limits.perAccount ?? 5, windowMs, now: limits.now });
  const addresses = new SlidingWindow({ limit: limits.perAddress ?? 20, windowMs, now: limits.now });
  return {
    reserve(email, ip) {
      const address = addressKey(ip);
      // Check both before counting either, so a refused attempt costs neither window anything.
      const wait = Math.max(accounts.retryAfter(email), addresses.retryAfter(address));
      if (wait > 0) return wait;
      accounts.hit(email);
      addresses.hit(address);
      return 0;
    },
    succeeded(email, ip) {
      const address = addressKey(ip);
      accounts.reset(email);
      addresses.giveBack(address);
    },
    release(email, ip) {
      const address = addressKey(ip);
      accounts.giveBack(email);
      addresses.giveBack(address);
    },
  };
}
