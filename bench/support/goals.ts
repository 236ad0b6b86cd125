/**
 * The goals `npm run bench` judges, and the rule that keeps it honest: on a busy machine every
 * page is slow and ratios squeeze together, so a goal is called met (or missed) only when the
 * 1-minute load average stayed at or under {@link QUIET_LOAD} from before the benchmark to after
 * it. Above that the numbers are still printed, with the load beside them, but not judged.
 */
import { loadavg } from "node:os";
import { printTable, round } from "./report";

/** The highest 1-minute load average at which a verdict is given (2 cores: under one busy core). */
export const QUIET_LOAD = 1.5;

/** The load averages (1, 5 and 15 minutes) around one benchmark. */
export interface Loads {
  before: number[];
  after: number[];
}

/** One goal as a benchmark measured it. */
export interface GoalCheck {
  goal: string;
  measured: string;
  /** Whether the measured value is within the goal. */
  within: boolean;
}

export type Verdict = "met" | "missed" | `not judged: load ${string}`;

/** Met or missed on a quiet machine; never either when the 1-minute load went above QUIET_LOAD. */
export function verdict(check: Pick<GoalCheck, "within">, loads: Loads, quiet = QUIET_LOAD): Verdict {
  const worst = Math.max(loads.before[0] ?? Number.POSITIVE_INFINITY, loads.after[0] ?? Number.POSITIVE_INFINITY);
  if (!(worst <= quiet)) return `not judged: load ${round(worst, 2)} > ${quiet}`;
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
): Promise<{ result: T; loads: Loads; goals: (GoalCheck & { verdict: Verdict; load: string })[] }> {
  const before = loadavg();
  console.log(`\n[${name}] load average before (1 / 5 / 15 min): ${format(before)}`);
  const result = await run();
  const after = loadavg();
  console.log(`[${name}] load average after  (1 / 5 / 15 min): ${format(after)}`);
  const loads = { before, after };
  const load = `${round(before[0] ?? 0, 2)} -> ${round(after[0] ?? 0, 2)}`;
  return { result, loads, goals: checks(result).map((check) => ({ ...check, verdict: verdict(check, loads), load })) };
}

/** The closing table: every goal, what was measured, the 1-minute load around it, the verdict. */
export function printGoals(goals: (GoalCheck & { verdict: Verdict; load: string })[]): void {
  printTable(
    `goals (judged only at a 1-minute load average <= ${QUIET_LOAD} before and after)`,
    goals.map(({ goal, measured, load, verdict }) => ({ goal, measured, load_1m: load, verdict })),
  );
}
