/**
 * `npm run bench`: every benchmark, in an order that lets them share one running stack.
 *
 *   npm run bench                     all of them
 *   npm run bench -- verify pages     only these (verify, startup, sign-in, pages, memory)
 *
 * Each prints its table and writes bench/results/<name>.json. The machine is shared: compare
 * numbers within one run (they are side by side for that reason), not across runs. To compare
 * against another checkout (say, main before a change), set BENCH_BASELINE to its folder: every
 * stack benchmark then runs on both, interleaved.
 *
 * Each benchmark prints the load average before and after it, and the run ends with a table of
 * the goals: a goal is called met or missed only when the 1-minute load stayed at or under 1.5
 * (./support/goals.ts); above that the numbers are printed all the same, marked "not judged".
 * BENCH_SHORT=1 runs each for a few seconds, to check they work; then no goal is judged.
 */
import { benchMemory } from "./memory";
import { benchPages } from "./pages";
import { benchSignIn } from "./sign-in";
import { benchStartup } from "./startup";
import { printGoals, settle, withLoad, type GoalCheck } from "./support/goals";
import { writeResult } from "./support/report";
import { startStack, targets, type Stack } from "./support/stack";
import { benchVerify, PEERS } from "./verify";

const ALL = ["verify", "startup", "sign-in", "pages", "memory"] as const;
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(ALL as readonly string[]).includes(name));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${ALL.join(", ")}`);
  process.exit(2);
}
const wanted = (name: (typeof ALL)[number]) => chosen.length === 0 || chosen.includes(name);

/**
 * BENCH_SHORT=1: a few seconds of each benchmark, to check that they run (after a change to
 * them, or in CI); its numbers are never judged against the goals.
 */
const short = process.env.BENCH_SHORT === "1";

/** How long after the load the tree's memory is read again. */
const SETTLE_MS = short ? 3_000 : 30_000;

const goals: Awaited<ReturnType<typeof withLoad>>["goals"] = [];
/** The loads around the last benchmark that made its own load (what a memory reading after it follows). */
let lastLoads: Awaited<ReturnType<typeof withLoad>>["loads"] | undefined;
/** Runs one benchmark between two load readings, writes its result with them, keeps its goals. */
async function bench<T extends Record<string, unknown>>(
  name: string,
  run: () => Promise<T> | T,
  checks?: (result: T) => GoalCheck[],
  // The memory readings right after the load, and 30 s after it, must not wait for the load to fall.
  { afterLoad = false } = {},
): Promise<T> {
  if (!short && !afterLoad) await settle();
  const measured = await withLoad(name, run, short ? undefined : checks, afterLoad ? lastLoads : undefined);
  if (!afterLoad) lastLoads = measured.loads;
  // A short run's numbers mean nothing: they never replace the results in bench/results/.
  if (!short) writeResult(name, { ...measured.result, loadAverage: measured.loads, goals: measured.goals });
  goals.push(...measured.goals);
  return measured.result;
}

const current = "current";
if (wanted("verify")) {
  await bench(
    "verify",
    () => (short ? benchVerify(100, 2, 3) : benchVerify()),
    ({ rows }) => {
      const ours = rows.find((row) => row.verifier === "claimtrip verifier")!;
      const peers = rows.filter((row) => PEERS.includes(row.verifier));
      const fastest = Math.min(...peers.map((row) => row.warm_p50_us));
      return [
        {
          goal: "verification ahead of every peer (warm p50)",
          measured: `${ours.warm_p50_us} µs vs ${fastest} µs (fastest peer)`,
          within: ours.warm_p50_us < fastest,
        },
      ];
    },
  );
}
if (wanted("startup")) {
  await bench(
    "startup",
    () => benchStartup(),
    ({ rows }) =>
      rows
        .filter((row) => row.checkout === current && row.start === "warm")
        .map((row) => ({
          goal: "warm npm start until both answer < 5 s",
          measured: `${row.ready_s} s`,
          within: row.ready_s < 5,
        })),
  );
}
/** When the "after the load" memory reading is taken: after the load benchmarks this run ran. */
function afterLoads(): string {
  const loads = [wanted("sign-in") && "sign-in", wanted("pages") && "page"].filter(Boolean);
  return loads.length
    ? `after the ${loads.join(" and ")} benchmark${loads.length > 1 ? "s" : ""}`
    : "again, with no load benchmark in this run";
}

if (wanted("sign-in") || wanted("pages") || wanted("memory")) {
  const stacks: Stack[] = [];
  try {
    for (const target of targets()) stacks.push(await startStack(target));
    if (wanted("memory")) await bench("memory-idle", () => benchMemory(stacks, "after start-up, idle"));
    if (wanted("sign-in")) {
      await bench(
        "sign-in",
        () => (short ? benchSignIn(stacks, 2) : benchSignIn(stacks)),
        (result) => {
          const median = result.rows.find((row) => row.checkout === current)!.round_trip_median_ms;
          return [
            {
              goal: "sign-in round trip median < 450 ms",
              measured: `${Math.round(median)} ms (floor here ${Math.round(result.leastMs)} ms)`,
              within: median < 450,
            },
          ];
        },
      );
    }
    if (wanted("pages")) {
      await bench(
        "pages",
        () => (short ? benchPages(stacks, 2, 8, 2) : benchPages(stacks)),
        ({ dashboardVsPublicP50 }) => {
          const ratio = dashboardVsPublicP50[current]!;
          return [{ goal: "/dashboard p50 <= 1.6x / (8 connections)", measured: `${ratio}x`, within: ratio <= 1.6 }];
        },
      );
    }
    if (wanted("memory")) {
      await bench(
        "memory",
        () => benchMemory(stacks, afterLoads()),
        ({ totals }) => {
          const peak = totals[current]!.peakMiB;
          return [
            { goal: "npm start tree at its peak (sum of VmHWM) < 500 MB", measured: `${peak} MiB`, within: peak < 500 },
          ];
        },
        { afterLoad: true },
      );
      await bench(
        "memory-settled",
        async () => {
          console.log(`waiting ${SETTLE_MS / 1000} s after the load`);
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          return benchMemory(stacks, `${SETTLE_MS / 1000} s after the load`);
        },
        ({ totals }) => {
          const rss = totals[current]!.rssMiB;
          return [
            {
              goal: "npm start tree 30 s after the load (sum of RSS) < 350 MB",
              measured: `${rss} MiB`,
              within: rss < 350,
            },
          ];
        },
        { afterLoad: true },
      );
    }
  } finally {
    for (const stack of stacks) await stack.stop();
  }
}
printGoals(goals);
