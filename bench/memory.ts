/**
 * Resident memory of every process `npm start` runs, and of the whole tree, measured after the
 * sign-in and page benchmarks have loaded it (bench/index.ts runs them first). RSS counts shared
 * pages (libraries, the Node binary) once per process, so the RSS sum overstates the tree; PSS
 * splits shared pages between their users, so the PSS sum is what the tree really holds.
 *
 *   npm run bench -- memory        (alone: measures a freshly started, idle stack)
 */
import { isMain, printTable, round, writeResult } from "./support/report";
import { processTree, startStack, type Stack } from "./support/stack";

export function benchMemory(stack: Stack, when: string) {
  const processes = processTree(stack.child.pid!);
  const rows = processes.map((p) => ({ process: p.name, pid: p.pid, rss_mib: round(p.rssMiB), pss_mib: p.pssMiB === null ? null : round(p.pssMiB) }));
  const rss = round(processes.reduce((sum, p) => sum + p.rssMiB, 0));
  const pss = round(processes.reduce((sum, p) => sum + (p.pssMiB ?? 0), 0));
  rows.push({ process: `whole npm start tree (${processes.length} processes)`, pid: null as never, rss_mib: rss, pss_mib: pss });
  printTable(`resident memory ${when}`, rows);
  return { when, processes: rows.slice(0, -1), totalRssMiB: rss, totalPssMiB: pss };
}

if (isMain(import.meta.url)) {
  let stack: Stack | undefined;
  try {
    stack = await startStack();
    writeResult("memory", benchMemory(stack, "after start-up, idle"));
  } finally {
    await stack?.stop();
  }
}
