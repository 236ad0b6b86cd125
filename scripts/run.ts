/**
 * Runs the IdP and the web app together, for `npm start` (production build) and `npm run dev`
 * (reload on change); the app alone when AUTH_ISSUER is not the local IdP (./programs.ts).
 * Output is prefixed by program; when one stops, the other is stopped too, and Ctrl-C stops both.
 *
 *   tsx scripts/run.ts start | dev
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withEnvFile } from "../lib/shared/settings.ts";
import { planRun } from "./programs.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];
if (mode !== "start" && mode !== "dev") {
  console.error("usage: tsx scripts/run.ts start | dev");
  process.exit(2);
}

// Variables already set in the environment win over .env.local, as in both programs.
const env = withEnvFile(process.env, join(root, ".env.local"));

const appPort = (() => {
  const url = new URL(env.APP_URL ?? "http://localhost:3000");
  return url.port || (url.protocol === "https:" ? "443" : "80");
})();
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const production = mode === "start";
const nodeEnv = production ? "production" : "development";

// The notice was printed first, by `tsx scripts/programs.ts` (package.json).
const plan = planRun(env);
const programs: { name: string; color: number; command: string; args: string[] }[] = [
  { name: "idp", color: 35, command: bin("tsx"), args: production ? ["idp/server.ts"] : ["watch", "idp/server.ts"] },
  { name: "app", color: 36, command: bin("next"), args: [production ? "start" : "dev", "-p", appPort] },
].filter((program) => plan.programs.includes(program.name as "idp" | "app"));

const children: ChildProcess[] = [];
let stopping = false;

function stop(code: number) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 5_000).unref();
}

for (const program of programs) {
  const child = spawn(program.command, program.args, {
    cwd: root,
    env: { ...env, NODE_ENV: nodeEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `\x1b[${program.color}m${program.name.padEnd(4)}|\x1b[0m `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream?.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) process.stdout.write(prefix + line + "\n");
    });
  }
  child.on("exit", (code, signal) => {
    if (!stopping) console.error(`${prefix}stopped (${signal ?? `exit ${code}`}); stopping the others`);
    stop(code ?? 1);
  });
  children.push(child);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop(0));
