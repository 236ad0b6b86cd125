/**
 * Resident memory of every process `npm start` runs, and of the whole tree. bench/index.ts
 * measures it idle, right after the sign-in and page benchmarks have loaded it (with each
 * process's peak, VmHWM: the tree's peak is read as the sum of those, an upper bound), and 30 s
 * later. RSS counts shared pages (libraries, the Node binary) once per process, so the RSS sum
 * overstates the tree; PSS splits shared pages between their users, so the PSS sum is what the
 * tree holds.
 *
 *   npm run bench -- memory
 */
import { isMain, printTable, round, writeResult } from "./support/report";
import { processTree, startStack, targets, type Stack } from "./support/stack";

export function benchMemory(stacks: Stack[], when: string) {
  const rows = [];
  const totals: Record<string, { rssMiB: number; pssMiB: number; peakMiB: number; processes: number }> = {};
  for (const stack of stacks) {
    const processes = processTree(stack.child.pid!);
    for (const p of processes) {
      rows.push({
        checkout: stack.target.label,
        process: p.name,
        rss_mib: round(p.rssMiB),
        pss_mib: p.pssMiB === null ? null : round(p.pssMiB),
        peak_mib: round(p.hwmMiB),
      });
    }
    const rss = round(processes.reduce((sum, p) => sum + p.rssMiB, 0));
    const pss = round(processes.reduce((sum, p) => sum + (p.pssMiB ?? 0), 0));
    const peak = round(processes.reduce((sum, p) => sum + p.hwmMiB, 0));
    rows.push({
      checkout: stack.target.label,
      process: `whole tree (${processes.length} processes)`,
      rss_mib: rss,
      pss_mib: pss,
      peak_mib: peak,
    });
    totals[stack.target.label] = { rssMiB: rss, pssMiB: pss, peakMiB: peak, processes: processes.length };
  }
  printTable(`resident memory of the npm start tree, ${when}`, rows);
  return { when, rows, totals };
}

if (isMain(import.meta.url)) {
  const stacks: Stack[] = [];
  try {
    for (const target of targets()) stacks.push(await startStack(target));
    writeResult("memory", benchMemory(stacks, "after start-up, idle"));
  } finally {
    for (const stack of stacks) await stack.stop();
  }
}
