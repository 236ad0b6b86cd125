/**
 * `npm start` until both programs answer: cold (as after a clone and install: no build, no
 * build stamp, no database) and warm (started again, nothing changed). The cold run
 * deletes the checkout's `.next/` and the bench's database first: do not run it under a demo
 * served from the same checkout. With a baseline checkout (BENCH_BASELINE), both are measured,
 * one after the other.
 *
 *   npm run bench -- startup
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { isMain, printTable, round, writeResult } from "./support/report";
import { startStack, targets } from "./support/stack";

/** Did this start run `next build`? Told from what `npm start` printed. */
const built = (output: string) => /Creating an optimized production build/.test(output);

export async function benchStartup() {
  const rows = [];
  for (const target of targets()) {
    rmSync(join(target.root, ".next"), { recursive: true, force: true });
    for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${target.dbFile}${suffix}`, { force: true });
    for (const kind of ["cold", "warm"] as const) {
      const stack = await startStack(target, { log: `startup-${kind.replace(" ", "-")}` });
      const output = stack.output();
      await stack.stop();
      rows.push({
        checkout: target.label,
        start: kind,
        ready_s: round(stack.readyMs / 1000, 2),
        ran_next_build: built(output) ? "yes" : "no",
      });
    }
  }
  printTable("npm start until the app and the IdP answer", rows);
  return { rows };
}

if (isMain(import.meta.url)) writeResult("startup", await benchStartup());
