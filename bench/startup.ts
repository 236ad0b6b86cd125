/**
 * `npm start` until both programs answer: cold (as after a clone and install: no build, no
 * build stamp, no database) and warm (started again, nothing changed). The cold run deletes
 * `.next/` and the bench's database first, so do not run it under a demo served from this
 * checkout.
 *
 *   npm run bench -- startup
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { isMain, printTable, round, writeResult } from "./support/report";
import { DB_FILE, REPO_ROOT, startStack } from "./support/stack";

/** Did this start run `next build`? Told from what `npm start` printed. */
const built = (output: string) => /Creating an optimized production build|next build/.test(output) && !/skipping the build|build is up to date/i.test(output);

export async function benchStartup() {
  rmSync(join(REPO_ROOT, ".next"), { recursive: true, force: true });
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${DB_FILE}${suffix}`, { force: true });
  const rows = [];
  for (const kind of ["cold", "warm", "warm"] as const) {
    const stack = await startStack({ log: `startup-${kind}.log` });
    const output = stack.output();
    await stack.stop();
    rows.push({ start: kind, ready_s: round(stack.readyMs / 1000, 2), ran_next_build: built(output) ? "yes" : "no" });
  }
  printTable("npm start until the app and the IdP answer", rows);
  return { rows };
}

if (isMain(import.meta.url)) writeResult("startup", await benchStartup());
