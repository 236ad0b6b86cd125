/**
 * `npm start` runs the IdP and the web app in this one process, each behind its own HTTP server on
 * its own port, as before: the browser, the app and the API still reach the IdP only over HTTP, by
 * its issuer URL. Why one process: each Node.js process holds its own copy of the runtime (about
 * 45 MiB before any code loads) and its own heap headroom, so two programs under a supervisor
 * cost twice that again; the demo's whole tree was about 690 MiB at its peak as three Node.js
 * processes and is about 410 MiB as one (docs/benchmarks.md "Memory", with the throughput this
 * costs). A scale-out runs each program on its own (`npm run start:app`, `start:idp`), in its own
 * process the same way, with no supervisor around it.
 *
 * The web app runs through Next.js's programmatic server (`next()`, the one `next start` uses),
 * from the same production build.
 */
import { createServer, type Server } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { closeGracefully, listen } from "../lib/shared/http-server.ts";
import { baseLogOptions, createPinoLogger } from "../lib/shared/logging.ts";
import type { LogFormat } from "../lib/shared/settings.ts";

export interface Hosted {
  server: Server;
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** How long both servers must have had no request before the heap is collected. Default: 10 s */
export const IDLE_COLLECT_MS = 10_000;

/**
 * A gc() of this process without exposing one to the app's code: the flag applies to contexts
 * created after it is set, and the collection is of the whole heap, whichever context asks.
 * The "last-resort" flavour is V8's memory-reducing collection (what it runs under memory
 * pressure: full collections until one frees nothing, at least two, then freed pages go back to
 * the system); a plain gc() keeps the pages it freed for the next allocations, so the heap
 * shrank and the process's RSS did not (docs/benchmarks.md "Memory").
 */
function exposedGc(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (options: object) => void;
  return () => gc({ type: "major", execution: "sync", flavor: "last-resort" });
}

/**
 * Gives memory back once a burst of requests is over: one memory-reducing collection after
 * `idleMs` without a request on any of `servers`. Under load V8 grows the heap within its
 * ceiling (package.json's start flags) and keeps it after the load ends until its own memory
 * reducer runs, which took anywhere from seconds to minutes here (docs/benchmarks.md "Memory").
 * It runs only when requests came since the last one, so an idle demo is not woken up, and a
 * request that arrives during it waits for it: 95-150 ms here, against 50-70 ms for a plain
 * collection that gave back 40 MiB less; the requests after it measured no slower.
 */
export function collectWhenIdle(
  servers: { on(event: "request", listener: () => void): unknown }[],
  idleMs = IDLE_COLLECT_MS,
  gc: () => void = exposedGc(),
): void {
  let lastRequest = 0;
  let collected = true;
  for (const server of servers)
    server.on("request", () => {
      lastRequest = Date.now();
      collected = false;
    });
  setInterval(() => {
    if (collected || Date.now() - lastRequest < idleMs) return;
    collected = true;
    gc();
  }, idleMs / 2).unref();
}

/** The web app from its production build in `root`, on `port`; resolves once it listens. */
export async function startApp(root: string, port: number, format: LogFormat): Promise<Hosted> {
  // Loaded only now: the environment (NODE_ENV above all, which picks React's build) must be set first.
  const { default: next } = await import("next");
  const started = performance.now();
  const app = next({ dev: false, dir: root, hostname: "localhost", port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await listen(server, port, "app");
  const logger = createPinoLogger(baseLogOptions("app", "info"), format);
  logger.info({ url: `http://localhost:${port}`, readyMs: Math.round(performance.now() - started) }, "app listening");
  return {
    server,
    stop: async (signal) => {
      logger.info({ signal }, "app stopping");
      await closeGracefully(server);
      await app.close().catch(() => undefined);
    },
  };
}
