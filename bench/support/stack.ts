/**
 * Runs the project the way a user does, `npm start` (production build, IdP and app), on
 * loopback ports of its own and with its own SQLite file, and reports the processes it made.
 * A demo on 3000/4000 and the e2e run on 3100/4100 are left alone; everything is localhost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { processTreeOf, readProcesses } from "./proc";
import { BENCH_ROOT } from "./report";

export const REPO_ROOT = join(BENCH_ROOT, "..");
export const OUTPUT_DIR = join(BENCH_ROOT, ".output");

function port(name: string, fallback: number): number {
  const value = process.env[name];
  const parsed = value ? Number(value) : fallback;
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535)
    throw new Error(`${name} must be a TCP port, got ${value}`);
  return parsed;
}

/** A checkout to run `npm start` in, and where it listens. */
export interface Target {
  /** `current`, or `baseline` for the checkout named by BENCH_BASELINE. */
  label: string;
  root: string;
  appUrl: string;
  idpUrl: string;
  /** The SQLite file its programs share (under bench/.output of this checkout). */
  dbFile: string;
}

function target(label: string, root: string, appPort: number, idpPort: number): Target {
  return {
    label,
    root,
    appUrl: `http://localhost:${appPort}`,
    idpUrl: `http://localhost:${idpPort}`,
    dbFile: join(OUTPUT_DIR, `bench-${label}.db`),
  };
}

/**
 * This checkout, and, when BENCH_BASELINE names another checkout of the project (installed,
 * same .env.local secrets or its own), that one too: the benchmarks then run both side by side,
 * interleaved, so a noisy machine slows both alike. Ports: BENCH_APP_PORT/BENCH_IDP_PORT
 * (3300/4300) and BENCH_BASELINE_APP_PORT/BENCH_BASELINE_IDP_PORT (3301/4301).
 */
export function targets(): Target[] {
  const list = [
    target(
      "current",
      REPO_ROOT,
      port(portVariable("current", "APP"), 3300),
      port(portVariable("current", "IDP"), 4300),
    ),
  ];
  const baseline = process.env.BENCH_BASELINE;
  if (baseline)
    list.push(
      target(
        "baseline",
        baseline,
        port(portVariable("baseline", "APP"), 3301),
        port(portVariable("baseline", "IDP"), 4301),
      ),
    );
  return list;
}

/** The variable that sets one of a checkout's ports: BENCH_APP_PORT, BENCH_BASELINE_IDP_PORT, … */
function portVariable(label: string, side: "APP" | "IDP"): string {
  return `BENCH_${label === "baseline" ? "BASELINE_" : ""}${side}_PORT`;
}

/** What both programs get: the target's ports and database; secrets from its .env.local. */
function stackEnv(target: Target): Record<string, string> {
  return {
    APP_URL: target.appUrl,
    API_AUDIENCE: `${target.appUrl}/api`,
    AUTH_ISSUER: target.idpUrl,
    IDP_ISSUER: target.idpUrl,
    DATABASE_URL: `file:${target.dbFile}`,
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

export interface Stack {
  target: Target;
  /** Milliseconds from spawning `npm start` to both programs answering. */
  readyMs: number;
  /** The `npm start` process (its group holds every process it started). */
  child: ChildProcess;
  /** Lines it printed, for the start-up bench (did it build, or skip the build?). */
  output: () => string;
  stop(): Promise<void>;
}

/** Answers 2xx within a second? */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts `npm start` in the target's checkout and waits until the app's /api/health and the
 * IdP's discovery answer. Gives up (and stops what it started) after `timeoutMs`.
 */
export async function startStack(target: Target, options: { timeoutMs?: number; log?: string } = {}): Promise<Stack> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const logFile = join(OUTPUT_DIR, `${target.label}-${options.log ?? "stack"}.log`);
  const log = createWriteStream(logFile);
  const health = `${target.appUrl}/api/health`;
  const discovery = `${target.idpUrl}/.well-known/openid-configuration`;
  // Readiness is "both answer": a server left on these ports (a demo, an interrupted run) would
  // pass for this one and be measured instead, against another database.
  for (const [url, side] of [
    [health, "APP"],
    [discovery, "IDP"],
  ] as const) {
    if (await answers(url))
      throw new Error(
        `something already answers ${url}: stop it, or pick another port with ${portVariable(target.label, side)}`,
      );
  }
  let printed = "";
  const started = performance.now();
  // detached: its own process group, so stop() ends exactly what this started.
  const child = spawn("npm", ["start"], {
    cwd: target.root,
    env: { ...process.env, ...stackEnv(target) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
      log.write(chunk);
    });
  }
  let exited = false;
  child.on("exit", () => (exited = true));
  const stop = async () => {
    if (!exited && child.pid) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 10_000);
      await gone;
      clearTimeout(timer);
    }
    // A port still held by a straggler would make the next start fail: wait until both are free.
    for (let i = 0; i < 100 && ((await answers(health)) || (await answers(discovery))); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    log.end();
  };
  while (performance.now() - started < timeoutMs) {
    if (exited) throw new Error(`npm start exited before it was ready; see ${logFile}`);
    if ((await answers(health)) && (await answers(discovery))) {
      return { target, readyMs: performance.now() - started, child, output: () => printed, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`npm start was not ready within ${timeoutMs / 1000} s; see ${logFile}`);
}

export interface ProcessMemory {
  pid: number;
  ppid: number;
  name: string;
  /** Resident set size, MiB. */
  rssMiB: number;
  /** The highest resident set size since the process started (VmHWM), MiB. */
  hwmMiB: number;
  /** Proportional set size, MiB: shared pages split between their users, so a tree's PSS adds up. */
  pssMiB: number | null;
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return null;
  }
}

function describe(pid: number): string {
  const cmdline = (readProc(pid, "cmdline") ?? "").split("\0").filter(Boolean);
  const script = cmdline.slice(1).find((arg) => !arg.startsWith("-"));
  const exe = (cmdline[0] ?? "").split("/").pop() ?? "";
  const comm = (readProc(pid, "comm") ?? "").trim();
  const short = (arg?: string) => (arg ? arg.replace(`${REPO_ROOT}/`, "") : "");
  // next-server renames itself (process.title); npm and node wrappers are told apart by their script.
  if (comm.startsWith("next-")) return (cmdline.join(" ") || comm).trim();
  return [exe || comm, short(script)].filter(Boolean).join(" ").slice(0, 60);
}

/** Every process in the tree under `root` (itself included), with its memory. Linux only. */
export function processTree(root: number): ProcessMemory[] {
  const tree = processTreeOf(readProcesses(), root);
  const kib = (text: string | null, field: string) => {
    const match = text && new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return match ? Number(match[1]) / 1024 : null;
  };
  return tree
    .filter(({ pid }) => existsSync(`/proc/${pid}`))
    .map(({ pid, ppid }) => {
      const status = readProc(pid, "status");
      return {
        pid,
        ppid,
        name: describe(pid),
        rssMiB: kib(status, "VmRSS") ?? 0,
        hwmMiB: kib(status, "VmHWM") ?? 0,
        pssMiB: kib(readProc(pid, "smaps_rollup"), "Pss"),
      };
    });
}
