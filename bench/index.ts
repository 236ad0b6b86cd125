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
 */
import { benchMemory } from "./memory";
import { benchPages } from "./pages";
import { benchSignIn } from "./sign-in";
import { benchStartup } from "./startup";
import { writeResult } from "./support/report";
import { startStack, targets, type Stack } from "./support/stack";
import { benchVerify } from "./verify";

const ALL = ["verify", "startup", "sign-in", "pages", "memory"] as const;
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(ALL as readonly string[]).includes(name));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${ALL.join(", ")}`);
  process.exit(2);
}
const wanted = (name: (typeof ALL)[number]) => chosen.length === 0 || chosen.includes(name);

if (wanted("verify")) writeResult("verify", await benchVerify());
if (wanted("startup")) writeResult("startup", await benchStartup());
if (wanted("sign-in") || wanted("pages") || wanted("memory")) {
  const stacks: Stack[] = [];
  try {
    for (const target of targets()) stacks.push(await startStack(target));
    if (wanted("memory")) writeResult("memory-idle", benchMemory(stacks, "after start-up, idle"));
    if (wanted("sign-in")) writeResult("sign-in", await benchSignIn(stacks));
    if (wanted("pages")) writeResult("pages", await benchPages(stacks));
    if (wanted("memory")) writeResult("memory", benchMemory(stacks, "after the sign-in and page benchmarks"));
  } finally {
    for (const stack of stacks) await stack.stop();
  }
}
