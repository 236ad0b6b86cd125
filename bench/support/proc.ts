/**
 * The processes of this machine, read from /proc (Linux only): what the memory readings
 * (./stack.ts) and the CPU others use (./goals.ts) both walk.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
export const TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  ppid: number;
  session: number;
  /** utime + stime, in ticks: the process's own CPU, not its reaped children's. */
  ticks: number;
  /** Start time in ticks since boot: with the pid, names one process even if the pid is reused. */
  key: string;
}

export function readProcesses(): ProcStat[] {
  const list: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: fields start after the last ")".
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      list.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        session: Number(fields[3]),
        ticks: Number(fields[11]) + Number(fields[12]),
        key: `${entry}:${fields[19]}`,
      });
    } catch {
      // gone meanwhile
    }
  }
  return list;
}

/** `root` and every process under it, parents before their children (none when `root` is gone). */
export function processTreeOf(all: readonly ProcStat[], root: number): ProcStat[] {
  const tree = all.filter((proc) => proc.pid === root);
  for (let i = 0; i < tree.length; i++) {
    const parent = tree[i]!.pid;
    tree.push(...all.filter((proc) => proc.ppid === parent));
  }
  return tree;
}
