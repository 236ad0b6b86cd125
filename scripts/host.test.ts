import { EventEmitter } from "node:events";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { collectWhenIdle } from "./host.ts";

describe("collectWhenIdle", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("collects once when every server has been idle long enough after a request, then waits for the next one", () => {
    const app = new EventEmitter();
    const idp = new EventEmitter();
    const gc = vi.fn();
    collectWhenIdle([app, idp], 1_000, gc);

    vi.advanceTimersByTime(5_000);
    expect(gc).not.toHaveBeenCalled(); // no request yet: nothing to give back

    app.emit("request");
    vi.advanceTimersByTime(600);
    idp.emit("request"); // the IdP's request restarts the wait
    vi.advanceTimersByTime(600);
    expect(gc).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(gc).toHaveBeenCalledTimes(1);

    vi.advanceTimersByTime(10_000);
    expect(gc).toHaveBeenCalledTimes(1);
    idp.emit("request");
    vi.advanceTimersByTime(2_000);
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it("runs V8's memory-reducing collection by default, without putting a gc() where the app's code sees it", async () => {
    vi.useRealTimers();
    // A plain gc() is one full collection; the last-resort flavour repeats them, at least twice.
    const full: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if (((entry as { detail?: { kind?: number } }).detail?.kind ?? 0) === constants.NODE_PERFORMANCE_GC_MAJOR)
          full.push(entry.startTime);
    });
    observer.observe({ entryTypes: ["gc"] });
    try {
      const server = new EventEmitter();
      collectWhenIdle([server], 20);
      server.emit("request");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(full.length).toBeGreaterThanOrEqual(2);
      expect("gc" in globalThis).toBe(false);
    } finally {
      observer.disconnect();
    }
  });
});
