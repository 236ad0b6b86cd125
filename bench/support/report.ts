/**
 * What every benchmark shares: statistics, a printed table, and `bench/results/<name>.json`
 * (with the machine and the command it ran on, so a number is never read without its context).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_ROOT = join(import.meta.dirname, "..");
export const RESULTS_DIR = join(BENCH_ROOT, "results");

/** The value at percentile `p` (0-100) of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  // Only an empty list has no value at the clamped index.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export function summarize(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    p99: percentile(sorted, 99),
  };
}

/** The machine a number was measured on; load average included, because it is shared. */
export function machine() {
  const cpu = cpus();
  const [loadAverage1m = 0] = loadavg();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpu.length} x ${cpu[0]?.model ?? "unknown"}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round(loadAverage1m * 100) / 100,
  };
}

export type Row = Record<string, string | number | null>;

/** Prints rows as an aligned table (numbers right-aligned). */
export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  const [first] = rows;
  if (!first) return;
  const columns = Object.keys(first);
  const cell = (value: string | number | null) =>
    value === null ? "-" : typeof value === "number" ? format(value) : value;
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column] ?? null).length)),
  );
  const line = (values: string[]) =>
    values.map((value, i) => (i === 0 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0))).join("  ");
  console.log(line(columns));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) console.log(line(columns.map((column) => cell(row[column] ?? null))));
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(3);
}

/** Writes `bench/results/<name>.json`: the rows plus when, where and how they were measured. */
export function writeResult(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  const record = {
    name,
    measuredAt: new Date().toISOString(),
    machine: machine(),
    command: process.argv.slice(1).join(" "),
    ...data,
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
  return file;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Whether the module at `url` is the script node was started with (not imported by bench/index.ts). */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  return fileURLToPath(url) === resolve(script);
}
