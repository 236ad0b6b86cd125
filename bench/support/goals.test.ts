import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { treeTicks, verdict } from "./goals";

const quiet = { before: [0.4, 0.5, 0.6], after: [2.7, 0.8, 0.7], othersCores: 0.05 };

describe("a goal's verdict", () => {
  it("is met or missed on a quiet machine, whatever load the benchmark itself made", () => {
    expect(verdict({ within: true }, quiet)).toBe("met");
    expect(verdict({ within: false }, quiet)).toBe("missed");
  });

  it("is never given when the load was above 1.5 before the run, whatever the numbers", () => {
    expect(verdict({ within: true }, { ...quiet, before: [1.6, 0, 0] })).toBe("not judged: load 1.6 > 1.5");
    expect(verdict({ within: false }, { ...quiet, before: [3, 0, 0] })).toMatch(/^not judged/);
  });

  it("is never given when other processes used more than a quarter of a core during the run", () => {
    expect(verdict({ within: true }, { ...quiet, othersCores: 0.8 })).toBe("not judged: load others used 0.8 cores");
    expect(verdict({ within: false }, { ...quiet, othersCores: 0.26 })).toMatch(/^not judged/);
  });

  it("judges at exactly the thresholds, and refuses what it could not read", () => {
    expect(verdict({ within: true }, { before: [1.5], after: [9], othersCores: 0.25 })).toBe("met");
    expect(verdict({ within: true }, { before: [], after: [0.1], othersCores: 0 })).toMatch(/^not judged/);
    expect(verdict({ within: true }, { before: [0.1], after: [0.1] })).toMatch(/^not judged/);
  });
});

describe("treeTicks", () => {
  it.runIf(process.platform === "linux")("counts a child's CPU, also after the child ended", async () => {
    const before = treeTicks();
    // Half a second of busy loop in a child process, which this process then reaps.
    const child = spawn(process.execPath, ["-e", "const end = Date.now() + 500; while (Date.now() < end);"]);
    await new Promise((resolve) => child.once("exit", resolve));
    expect(treeTicks() - before).toBeGreaterThanOrEqual(30); // ticks of 10 ms; the loop alone is ~50
    expect(treeTicks(999_999_999)).toBe(0); // no such process
  });
});
