/**
 * `npm run bench`: every benchmark, in an order that lets them share one running stack.
 *
 *   npm run bench                     all of them
 *   npm run bench -- verify pages     only these (verify, startup, sign-in, pages, memory)
 *
 * Each prints its table and writes bench/results/<name>.json. The machine is shared: compare
 * numbers within one run (they are side by side for that reason), not across runs.
 */
import { benchMemory } from "./memory";
import { benchPages } from "./pages";
import { benchSignIn } from "./sign-in";
import { benchStartup } from "./startup";
import { writeResult } from "./support/report";
import { startStack, type Stack } from "./support/stack";
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
  let stack: Stack | undefined;
  try {
    stack = await startStack();
    if (wanted("memory")) writeResult("memory-idle", benchMemory(stack, "after start-up, idle"));
    if (wanted("sign-in")) writeResult("sign-in", await benchSignIn());
    if (wanted("pages")) writeResult("pages", await benchPages());
    if (wanted("memory")) writeResult("memory", benchMemory(stack, "after the sign-in and page benchmarks"));
  } finally {
    await stack?.stop();
  }
}
