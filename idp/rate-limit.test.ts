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
    const window = new SlidingWindow({ limit: 1, windowMs: 1000, maxKeys: 2 });
    window.hit("a");
    window.hit("b");
    window.hit("c");
    expect(window.retryAfter("a")).toBe(0);
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
