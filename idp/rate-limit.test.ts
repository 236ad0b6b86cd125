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
    limiter.failed("alice", "1.1.1.1");
    limiter.failed("alice", "2.2.2.2");
    expect(limiter.retryAfter("alice", "3.3.3.3")).toBe(60_000);
    limiter.succeeded("alice");
    expect(limiter.retryAfter("alice", "3.3.3.3")).toBe(0);
    limiter.failed("x", "9.9.9.9");
    limiter.failed("y", "9.9.9.9");
    limiter.failed("z", "9.9.9.9");
    now = 10;
    expect(limiter.retryAfter("fresh", "9.9.9.9")).toBe(59_990);
  });
});
