/**
 * The goals `npm run bench` judges, and the rule that keeps it honest: on a busy machine every
 * page is slow and ratios squeeze together, so a goal is called met (or missed) only on a quiet
 * machine: a 1-minute load average at or under {@link QUIET_LOAD} before the benchmark, and, while
 * it ran, less than {@link QUIET_OTHERS_CORES} of CPU used by anything outside its own process
 * tree. The load average after a benchmark counts the benchmark's own work (Chromium and the
 * servers under load keep two cores busy by design), so it is printed, not judged; the CPU
 * others took (from /proc) is what tells a quiet run from a shared one. Otherwise the numbers
 * are still printed, with the load beside them, but not judged.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { processTreeOf, readProcesses, TICKS_PER_SECOND, type ProcStat } from "./proc";
import { printTable, round } from "./report";

/** The highest 1-minute load average at which a verdict is given (2 cores: under one busy core). */
export const QUIET_LOAD = 1.5;

/** The most CPU (in cores, averaged over the run) others may use during a judged benchmark. */
export const QUIET_OTHERS_CORES = 0.25;

/** The load averages (1, 5 and 15 minutes) around one benchmark, and the CPU others used meanwhile. */
export interface Loads {
  before: number[];
  after: number[];
  /** Cores used on average by processes outside this benchmark's tree; undefined where /proc cannot tell. */
  othersCores?: number;
}

/** CPU ticks the whole machine spent busy (not idle, not waiting for I/O). */
function machineBusyTicks(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

/**
 * The processes of this benchmark: this process and its descendants, and every process in a
 * session one of them leads. Chromium and `npm start` are started detached (a session of their
 * own), and Chromium's renderers and a server orphaned on the way out leave the tree but keep it.
 */
export function ownProcesses(root = process.pid): ProcStat[] {
  const all = readProcesses();
  const tree = new Set(processTreeOf(all, root));
  const led = new Set([...tree].filter((proc) => proc.session === proc.pid).map((proc) => proc.session));
  return all.filter((proc) => tree.has(proc) || led.has(proc.session));
}

/**
 * Starts counting the CPU others use; the returned function gives their average in cores. The
 * machine's busy time comes from /proc/stat; the benchmark's own is sampled every 200 ms (a
 * process of ours that lives less than that between two samples is missed, and counted as others').
 */
function othersMeter(): () => number | undefined {
  try {
    const startedAt = performance.now();
    const busyAt = machineBusyTicks();
    const seen = new Map<string, { first: number; last: number }>();
    let sampled = false;
    const sample = () => {
      for (const proc of ownProcesses()) {
        const known = seen.get(proc.key);
        // A process first seen after the start began at 0 ticks, unless it was there at the start.
        if (known) known.last = proc.ticks;
        else seen.set(proc.key, { first: sampled ? 0 : proc.ticks, last: proc.ticks });
      }
      sampled = true;
    };
    sample();
    const timer = setInterval(sample, 200);
    timer.unref();
    return () => {
      clearInterval(timer);
      sample();
      const seconds = (performance.now() - startedAt) / 1000;
      let own = 0;
      for (const { first, last } of seen.values()) own += last - first;
      const others = machineBusyTicks() - busyAt - own;
      return seconds > 0 ? Math.max(0, others) / TICKS_PER_SECOND / seconds : undefined;
    };
  } catch {
    return () => undefined; // no /proc (not Linux): no verdicts
  }
}

/** One goal as a benchmark measured it. */
export interface GoalCheck {
  goal: string;
  measured: string;
  /** Whether the measured value is within the goal. */
  within: boolean;
}

export type Verdict = "met" | "missed" | `not judged: load ${string}`;

/** Waits (up to `maxMs`) for the 1-minute load to fall to `target`: the previous benchmark's own load is not others'. */
export async function settle(target = 1, maxMs = 120_000): Promise<void> {
  const until = performance.now() + maxMs;
  if ((loadavg()[0] ?? 0) > target)
    console.log(`\nwaiting for the 1-minute load (${round(loadavg()[0] ?? 0, 2)}) to fall to ${target}`);
  while ((loadavg()[0] ?? 0) > target && performance.now() < until) await new Promise((r) => setTimeout(r, 2_000));
}

/**
 * Met or missed on a quiet machine: never either when the 1-minute load was above QUIET_LOAD
 * before the run, or others used more than QUIET_OTHERS_CORES during it (or that is unknown).
 */
export function verdict(check: Pick<GoalCheck, "within">, loads: Loads, quiet = QUIET_LOAD): Verdict {
  const before = loads.before[0] ?? Number.POSITIVE_INFINITY;
  if (!(before <= quiet)) return `not judged: load ${round(before, 2)} > ${quiet}`;
  const others = loads.othersCores ?? Number.POSITIVE_INFINITY;
  if (!(others <= QUIET_OTHERS_CORES)) return `not judged: load others used ${round(others, 2)} cores`;
  return check.within ? "met" : "missed";
}

const format = (values: number[]) => values.map((value) => round(value, 2)).join(" / ");

/**
 * Runs one benchmark between two readings of the load average, printed before and after it.
 * `checks` turns its result into the goals it measures (none for some).
 */
export async function withLoad<T>(
  name: string,
  run: () => Promise<T> | T,
  checks: (result: T) => GoalCheck[] = () => [],
  /**
   * The loads to judge by, when this benchmark reads what an earlier one left (memory right after
   * the page load): the load before it is that benchmark's own, so the earlier run's loads decide.
   */
  judgeBy?: Loads,
): Promise<{ result: T; loads: Loads; goals: (GoalCheck & { verdict: Verdict; load: string })[] }> {
  const before = loadavg();
  console.log(`\n[${name}] load average before (1 / 5 / 15 min): ${format(before)}`);
  const others = othersMeter();
  const result = await run();
  const othersCores = others();
  const after = loadavg();
  console.log(`[${name}] load average after  (1 / 5 / 15 min): ${format(after)}`);
  const shown = othersCores === undefined ? "unknown" : `${round(othersCores, 2)} cores`;
  console.log(`[${name}] CPU used by other processes meanwhile: ${shown}`);
  const loads = { before, after, othersCores };
  const load = `${round(before[0] ?? 0, 2)} -> ${round(after[0] ?? 0, 2)}, others ${shown}`;
  const judged = judgeBy ?? loads;
  const shownLoad = judgeBy
    ? `${load} (judged by the run it follows: ${round(judgeBy.before[0] ?? 0, 2)}, others ${round(judgeBy.othersCores ?? Number.NaN, 2)} cores)`
    : load;
  return {
    result,
    loads,
    goals: checks(result).map((check) => ({ ...check, verdict: verdict(check, judged), load: shownLoad })),
  };
}

/** The closing table: every goal, what was measured, the 1-minute load around it, the verdict. */
export function printGoals(goals: (GoalCheck & { verdict: Verdict; load: string })[]): void {
  printTable(
    `goals (judged only at a 1-minute load average <= ${QUIET_LOAD} before, and others using <= ${QUIET_OTHERS_CORES} cores during the run)`,
    goals.map(({ goal, measured, load, verdict }) => ({ goal, measured, load_1m: load, verdict })),
  );
}
