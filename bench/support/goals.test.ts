import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { type Loads, ownProcesses, verdict, withLoad } from "./goals";

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

describe("ownProcesses", () => {
  it.runIf(process.platform === "linux")(
    "holds this process, its children, and a detached child's whole session, not other processes",
    async () => {
      const plain = spawn(process.execPath, ["-e", "setTimeout(() => {}, 2000)"]);
      // A detached child leads a session of its own; its own child is found through the session too.
      const leader = spawn(
        process.execPath,
        [
          "-e",
          "require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 2000)']); setTimeout(() => {}, 2000)",
        ],
        { detached: true, stdio: "ignore" },
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      try {
        const own = ownProcesses();
        const pids = own.map((proc) => proc.pid);
        expect(pids).toContain(process.pid);
        expect(pids).toContain(plain.pid);
        expect(pids).toContain(leader.pid);
        expect(own.filter((proc) => proc.session === leader.pid).length).toBe(2);
        expect(pids).not.toContain(1);
      } finally {
        plain.kill();
        process.kill(-leader.pid!, "SIGKILL");
      }
    },
  );
});

describe("withLoad", () => {
  it("judges a reading that follows another benchmark by that benchmark's loads, whatever the machine's now", async () => {
    const check = { goal: "g", measured: "1", within: true };
    const verdictAfter = async (judgeBy: Loads) =>
      (
        await withLoad(
          "reading",
          () => ({}),
          () => [check],
          judgeBy,
        )
      ).goals[0]?.verdict;
    expect(await verdictAfter({ before: [0.2], after: [2.5], othersCores: 0 })).toBe("met");
    expect(await verdictAfter({ before: [7], after: [7], othersCores: 1.9 })).toMatch(/^not judged/);
  });
});
