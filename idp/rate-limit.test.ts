import { describe, expect, it } from "vitest";
import { createLoginLimiter, SlidingWindow } from "./rate-limit.ts";

describe("sliding window", () => {
  it("allows `limit` hits per window and says how long to wait", () => {
    let now = 0;
    const window = new SlidingWindow({ limit: 2, windowMs: 1000, now: () => now });
    window.hit("a");
    expect(window.retryAfter("a")).toBe(0);
    now = 400;
    window.hit("a");
    expect(window.retryAfter("a")).toBe(600);
    now = 1001;
    expect(window.retryAfter("a")).toBe(0);
    expect(window.retryAfter("b")).toBe(0);
  });

  it("forgets the oldest keys beyond its size", () => {
    const window = new SlidingWindow({ limit: 2, windowMs: 1000, maxKeys: 2 });
    window.hit("a");
    window.hit("b");
    window.hit("c");
    window.hit("a");
    expect(window.retryAfter("a")).toBe(0);
    window.hit("c");
    expect(window.retryAfter("c")).toBeGreaterThan(0);
  });
});

describe("login limiter", () => {
  it("limits per account and per address, and a success clears the account", () => {
    let now = 0;
    const limiter = createLoginLimiter({ perAccount: 2, perAddress: 3, windowMs: 60_000, now: () => now });
    expect(limiter.reserve("alice", "1.1.1.1")).toBe(0);
    expect(limiter.reserve("alice", "2.2.2.2")).toBe(0);
    expect(limiter.reserve("alice", "3.3.3.3")).toBe(60_000);
    limiter.succeeded("alice", "2.2.2.2");
    expect(limiter.reserve("alice", "3.3.3.3")).toBe(0);
    expect(limiter.reserve("x", "9.9.9.9")).toBe(0);
    expect(limiter.reserve("y", "9.9.9.9")).toBe(0);
    expect(limiter.reserve("z", "9.9.9.9")).toBe(0);
    now = 10;
    expect(limiter.reserve("fresh", "9.9.9.9")).toBe(59_990);
  });

  it("counts an attempt when it is reserved, before anyone judges it, so parallel attempts cannot overrun the limit", () => {
    const limiter = createLoginLimiter({ perAccount: 5, perAddress: 20 });
    // 40 attempts arrive before the first password check has finished: only 5 may proceed.
    const admitted = Array.from({ length: 40 }, () => limiter.reserve("alice", "1.1.1.1")).filter((wait) => wait === 0);
    expect(admitted).toHaveLength(5);
    // The same for one address trying many accounts.
    const spread = Array.from({ length: 40 }, (_, i) => limiter.reserve(`user-${i}`, "2.2.2.2")).filter(
      (wait) => wait === 0,
    );
    expect(spread).toHaveLength(20);
  });

  it("gives an attempt back when it succeeds or cannot be judged, and refuses without counting", () => {
    const limiter = createLoginLimiter({ perAccount: 2, perAddress: 2 });
    expect(limiter.reserve("alice", "1.1.1.1")).toBe(0);
    limiter.succeeded("alice", "1.1.1.1");
    expect(limiter.reserve("bob", "1.1.1.1")).toBe(0);
    limiter.release("bob", "1.1.1.1");
    // Neither the success nor the error counted against the address: two failures still fit.
    expect(limiter.reserve("carol", "1.1.1.1")).toBe(0);
    expect(limiter.reserve("dave", "1.1.1.1")).toBe(0);
    expect(limiter.reserve("erin", "1.1.1.1")).toBeGreaterThan(0);
    // The refused attempt was not counted against erin's account.
    expect(limiter.reserve("erin", "3.3.3.3")).toBe(0);
    expect(limiter.reserve("erin", "4.4.4.4")).toBe(0);
  });
});

describe("what the limiter remembers", () => {
  it("never forgets a key that is at its limit to make room for new ones", () => {
    const window = new SlidingWindow({ limit: 2, windowMs: 60_000, maxKeys: 3 });
    window.hit("victim");
    window.hit("victim");
    expect(window.retryAfter("victim")).toBeGreaterThan(0);
    // A guesser floods the table with fresh keys, hoping to push the locked one out.
    for (let i = 0; i < 50; i += 1) window.hit(`flood-${i}`);
    expect(window.retryAfter("victim")).toBeGreaterThan(0);
  });

  it("still forgets keys below their limit, oldest first, and expired keys", () => {
    let now = 0;
    const window = new SlidingWindow({ limit: 2, windowMs: 1000, maxKeys: 2, now: () => now });
    window.hit("a");
    window.hit("b");
    window.hit("c");
    window.hit("c");
    window.hit("b");
    expect(window.retryAfter("b")).toBeGreaterThan(0);
    expect(window.retryAfter("c")).toBeGreaterThan(0);
    // "a" (one hit, the oldest) went to make room; the two keys at their limit stayed.
    window.hit("a");
    expect(window.retryAfter("a")).toBe(0);
    // Once their window has passed, keys that were at their limit go like any other.
    now = 1500;
    window.hit("d");
    window.hit("e");
    window.hit("e");
    expect(window.retryAfter("e")).toBeGreaterThan(0);
    expect(window.retryAfter("b")).toBe(0);
  });
});

describe("IPv6 clients", () => {
  it("counts every address of one /64 as one client", () => {
    const limiter = createLoginLimiter({ perAccount: 100, perAddress: 2 });
    expect(limiter.reserve("a", "2001:db8:1:2::1")).toBe(0);
    expect(limiter.reserve("b", "2001:0db8:0001:0002:ffff:ffff:ffff:fffe")).toBe(0);
    expect(limiter.reserve("c", "2001:db8:1:2:abcd::9")).toBeGreaterThan(0);
    // Another /64 is another client; IPv4 (and IPv4-mapped IPv6) count per address.
    expect(limiter.reserve("d", "2001:db8:1:3::1")).toBe(0);
    expect(limiter.reserve("e", "192.0.2.1")).toBe(0);
    expect(limiter.reserve("f", "::ffff:192.0.2.1")).toBe(0);
    expect(limiter.reserve("g", "192.0.2.1")).toBeGreaterThan(0);
    expect(limiter.reserve("h", "192.0.2.2")).toBe(0);
  });
});
