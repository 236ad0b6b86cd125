/**
 * `npm start` and `npm run dev`: sets up, builds when needed, then runs the IdP and the web app.
 *
 * - start: setup, the production build unless nothing changed since the last one
 *   (scripts/build.ts), then both programs in this very process (./host.ts), each on its own
 *   port: one Node runtime instead of three (docs/benchmarks.md "Memory"). The IdP's TypeScript
 *   runs through Node's own type stripping, the app through Next.js's programmatic server. With
 *   the build current, the app boots while setup (migrations, demo users) still runs, and the IdP
 *   follows once setup is done: the app reads no database before its first request. Both write
 *   their log lines themselves: pretty on a terminal, JSON otherwise or with LOG_FORMAT=json.
 *   Ctrl-C (or SIGTERM) stops both gracefully;
 * - dev: setup, then `next dev` and the IdP under `node --watch` as this supervisor's two
 *   children. Both write JSON log lines (LOG_FORMAT=json is set for them); on a terminal the
 *   supervisor shows them through pino-pretty (lib/shared/logging.ts), one coloured line per
 *   event with the service's name. Other output (Next.js's banner, a crash) is prefixed by
 *   program. When one stops, the other is stopped too.
 *
 * The IdP runs only when AUTH_ISSUER names the local IdP (./programs.ts): pointed at Auth0 or
 * Keycloak, the app runs alone, and the first line says so.
 *
 * `start app` and `start idp` (`npm run start:app`, `npm run start:idp`) run one program, in this
 * process too, for a scale-out where each host has its role: the same build check, but setup only
 * *checks* (the secrets are there, the database is migrated; `npm run setup` is run once, not by
 * every instance). The app listens on `--port`, else PORT, else APP_URL's port (scripts/programs.ts).
 *
 *   node scripts/run.ts start | dev [app | idp] [--port N]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { prettifier, SERVICE_COLORS } from "../lib/shared/logging.ts";
import { LOG_FORMATS, resolveLogFormat, withEnvFile, type LogFormat } from "../lib/shared/settings.ts";
import { startupErrorText } from "../lib/shared/startup-error.ts";
import { build, buildStatus } from "./build.ts";
import type { RunningIdp } from "../idp/listen.ts";
import { collectWhenIdle, type Hosted, startApp } from "./host.ts";
import { appPort, listenPort, planRun, type ProgramName } from "./programs.ts";

export { appPort };

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** How long the programs get to stop on their own before they are killed. */
const STOP_GRACE_MS = 5_000;

/**
 * Node flags for running a .ts file: Node strips the types itself (unflagged from 22.18 and 23.6;
 * 22.12 to 22.17 need the flag, which every supported version still accepts).
 */
export const TYPESCRIPT_FLAGS = ["--experimental-strip-types"];

/**
 * Node flags for the process that runs the web app (issue 22, docs/benchmarks.md "Memory"): V8
 * sizes its heap from the machine's memory and lets a busy server's heap grow to ~500 MB before
 * it collects hard, though what stays alive is ~60 MB (heap snapshots). A smaller young
 * generation and a ceiling for the old one keep the peak near half that, for more CPU per
 * request. `start` hosts the programs in this process itself, so Node must be given them when it
 * starts: package.json's `start` and `start:app` scripts and the Dockerfile's command carry them,
 * and a test keeps those in step with this list.
 */
export const APP_NODE_FLAGS = ["--max-semi-space-size=8", "--max-old-space-size=256"];

export type Mode = "start" | "dev";

export interface Program {
  name: string;
  /** ANSI colour of the output prefix. */
  color: number;
  command: string;
  args: string[];
}

/**
 * `npm run dev`'s programs, each a process of its own under this supervisor: the IdP under
 * `node --watch`, the app under `next dev` (its own reloading server).
 */
export function devPrograms(
  env: Record<string, string | undefined>,
  port = listenPort(env),
): [idp: Program, app: Program] {
  const node = process.execPath;
  const next = join(root, "node_modules/next/dist/bin/next");
  return [
    { name: "idp", color: SERVICE_COLORS.idp, command: node, args: [...TYPESCRIPT_FLAGS, "--watch", "idp/server.ts"] },
    { name: "app", color: SERVICE_COLORS.app, command: node, args: [next, "dev", "-p", port] },
  ];
}

/**
 * What the supervisor writes for one line a program printed: a JSON log line prettified by
 * `pretty` (or as it is, without one), anything else behind the program's coloured prefix.
 */
export function outputLine(
  line: string,
  program: Pick<Program, "name" | "color"> | undefined,
  pretty?: (line: string) => string,
) {
  if (line.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === "object" && "level" in parsed) return pretty ? pretty(line) : `${line}\n`;
    } catch {
      // not a log line: prefixed below
    }
  }
  return program ? `\x1b[${program.color}m${program.name.padEnd(4)}|\x1b[0m ${line}\n` : `${line}\n`;
}

/** LOG_FORMAT as the user set it (checked here: the programs get json from this supervisor). */
function logFormatSetting(value: string | undefined): LogFormat | undefined {
  if (value === undefined || value === "") return undefined;
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new Error(`Invalid setting LOG_FORMAT: expected ${LOG_FORMATS.join(" or ")}`);
}

function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${args.find((arg) => arg.endsWith(".ts"))} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/**
 * Runs programs side by side: one output stream (program prefixes only when there is more than
 * one, so that a single program's JSON log lines stay JSON for whatever collects them); when one
 * stops, the others are stopped too.
 */
function supervisor(env: NodeJS.ProcessEnv, format: LogFormat, prefixed: boolean) {
  const pretty = format === "pretty" ? prettifier() : undefined;
  const children: ChildProcess[] = [];
  let stopping = false;
  const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    process.exitCode = code;
    for (const child of children) if (running(child)) child.kill("SIGTERM");
    if (!children.some(running)) process.exit(code);
    setTimeout(() => {
      for (const child of children) if (running(child)) child.kill("SIGKILL");
      process.exit(code);
    }, STOP_GRACE_MS).unref();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop(0));

  const start = (program: Program) => {
    if (stopping) return;
    const child = spawn(program.command, program.args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const prefix = prefixed ? `\x1b[${program.color}m${program.name.padEnd(4)}|\x1b[0m ` : "";
    for (const stream of [child.stdout, child.stderr]) {
      let rest = "";
      stream?.on("data", (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) process.stdout.write(outputLine(line, prefixed ? program : undefined, pretty));
      });
    }
    child.on("exit", (code, signal) => {
      if (!stopping)
        console.error(`${prefix || `${program.name}: `}stopped (${signal ?? `exit ${code}`}); stopping the others`);
      stop(code ?? 1);
      // Exit as soon as every program is gone, without waiting for the grace period.
      if (!children.some(running)) process.exit(process.exitCode ?? 0);
    });
    children.push(child);
  };
  return { start, stop };
}

/** What the command line asks for: `start | dev [app | idp] [--port N]`. */
export interface Invocation {
  mode: Mode;
  only?: ProgramName;
  port?: string;
}

export function parseArgs(args: string[]): Invocation | undefined {
  const [mode, ...rest] = args;
  if (mode !== "start" && mode !== "dev") return undefined;
  const invocation: Invocation = { mode };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if ((arg === "app" || arg === "idp") && !invocation.only) invocation.only = arg;
    else if (arg === "--port" && rest[i + 1] !== undefined) invocation.port = rest[++i];
    else if (arg.startsWith("--port=")) invocation.port = arg.slice("--port=".length);
    else return undefined;
  }
  if (invocation.port !== undefined && invocation.only === "idp") return undefined;
  return invocation;
}

async function main({ mode, only, port: portFlag }: Invocation): Promise<void> {
  const local = join(root, ".env.local");
  const port = listenPort(withEnvFile(process.env, local), portFlag);
  const plan = planRun(withEnvFile(process.env, local), only, port);
  const format = resolveLogFormat(logFormatSetting(withEnvFile(process.env, local).LOG_FORMAT), process.stdout.isTTY);
  console.log(plan.notice);
  // One program of a scale-out: setup only checks, it changes nothing (every instance runs this).
  const setupArgs = only ? ["--check", only] : [];
  const setup = runToEnd(
    process.execPath,
    [...TYPESCRIPT_FLAGS, join(root, "scripts/setup.ts"), ...setupArgs],
    process.env,
  );
  /** The programs' environment: .env.local under the real environment (which wins, as in both programs). */
  const environment = (): NodeJS.ProcessEnv => ({
    ...withEnvFile(process.env, local),
    NODE_ENV: mode === "start" ? "production" : "development",
    LOG_FORMAT: "json",
  });

  // With a current build and the secrets in place, the app boots while setup runs: it reads no
  // database before its first request. Everything else (the IdP) waits for setup.
  let early = false;
  if (mode === "start") {
    const { reason, builtAt } = buildStatus(environment());
    if (reason) {
      await setup; // a first build needs the secrets setup writes
      console.log(`build: building, because ${reason}`);
      await build(environment());
    } else {
      console.log(`build: nothing changed since the build of ${builtAt}; skipping next build`);
      early = !only && existsSync(local);
    }
  }
  if (mode === "start") return hostHere(plan.programs, port, format, environment(), setup, early);
  const env = environment();
  const list = devPrograms(env, port).filter((program) => plan.programs.includes(program.name as ProgramName));
  const run = supervisor(env, format, list.length > 1);
  try {
    await setup;
  } catch (error) {
    run.stop(1);
    throw error;
  }
  for (const program of list) run.start(program);
}

/**
 * `start` (`npm start`, `start:app`, `start:idp`): the planned programs in this process (./host.ts), with `environment` as this
 * process's own (both programs read process.env) and their logs in `format` straight to stdout.
 * When one cannot start, or on Ctrl-C or SIGTERM, both stop.
 */
async function hostHere(
  planned: ProgramName[],
  port: string,
  format: LogFormat,
  environment: NodeJS.ProcessEnv,
  setup: Promise<void>,
  early: boolean,
): Promise<void> {
  Object.assign(process.env, environment, { LOG_FORMAT: format });
  const running: (Hosted | RunningIdp)[] = [];
  let stopping = false;
  const stop = (signal: NodeJS.Signals, code: number) => {
    if (stopping) return;
    stopping = true;
    process.exitCode = code;
    setTimeout(() => process.exit(code), STOP_GRACE_MS).unref();
    Promise.allSettled(running.map((program) => program.stop(signal))).then(() => process.exit(code));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop(signal, 0));

  const hostApp = async () => {
    running.push(await startApp(root, Number(port), format));
  };
  const hostIdp = async () => {
    // Loaded only now: its settings are read from the environment set above.
    const { startIdp } = await import("../idp/listen.ts");
    const { loadSettings } = await import("../idp/env.ts");
    running.push(await startIdp(loadSettings()));
  };
  try {
    const app = planned.includes("app") && early ? hostApp() : undefined;
    app?.catch(() => undefined); // awaited below, after setup: not an unhandled rejection meanwhile
    await setup;
    await Promise.all([
      app ?? (planned.includes("app") ? hostApp() : undefined),
      planned.includes("idp") ? hostIdp() : undefined,
    ]);
    collectWhenIdle(running.map((program) => program.server));
  } catch (error) {
    console.error(startupErrorText(error, { plainErrorsToo: true }));
    stop("SIGTERM", 1);
  }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const invocation = parseArgs(process.argv.slice(2));
  if (!invocation) {
    console.error("usage: node scripts/run.ts start | dev [app | idp] [--port N]   (--port: the app's)");
    process.exit(2);
  }
  main(invocation).catch((error: unknown) => {
    console.error(startupErrorText(error, { plainErrorsToo: true }));
    process.exit(1);
  });
}
