/**
 * Servers a spec starts for itself (the run's own IdP and app are playwright.config.ts's): a
 * process with its own settings, its output in e2e/.output/<name>.log, ready once a URL answers 200.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { OUTPUT_DIR, REPO_ROOT } from "../settings";

export interface SpecServer {
  name: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts `command` with `env` on top of this process's, and waits until `readyUrl` answers 200. */
export async function startServer(
  name: string,
  command: string[],
  env: Record<string, string>,
  readyUrl: string,
  timeoutMs = 120_000,
): Promise<SpecServer> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const log = openSync(join(OUTPUT_DIR, `${name}.log`), "w");
  const [file, ...args] = command;
  const child = spawn(file!, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", log, log] });
  const server: SpecServer = {
    name,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 8_000);
      await exited(child);
      clearTimeout(force);
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(readyUrl))) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode} before it was ready; see e2e/.output/${name}.log`);
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} did not answer ${readyUrl} within ${timeoutMs / 1000} s; see e2e/.output/${name}.log`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return server;
}
