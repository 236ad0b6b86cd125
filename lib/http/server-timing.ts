/**
 * Where a request's time goes, named by step: the session lookup, reading (or refreshing) the
 * access token, the call to the API, the IdP's discovery and token endpoints. Route handlers
 * answer with a `Server-Timing` header (browsers' dev tools show it under Timing); pages, whose
 * headers leave before they render, log the same steps and the render in one `server_timing`
 * line once the response is done.
 *
 * One set of timings per request: route handlers run inside {@link withServerTiming}; server
 * components share one through React's per-request `cache()`.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { after } from "next/server";
import { cache } from "react";
import type { Logger } from "../logger";

export class ServerTimings {
  readonly started = performance.now();
  readonly steps = new Map<string, number>();
  /** Steps that happen inside other steps (database calls inside the session lookup). */
  readonly inner = new Set<string>();

  /** Adds `ms` to the step `name` (a step taken twice counts twice). */
  add(name: string, ms: number, inner = false): void {
    this.steps.set(name, (this.steps.get(name) ?? 0) + ms);
    if (inner) this.inner.add(name);
  }

  /**
   * Milliseconds per step, rounded to 0.1 ms, plus `total` since the timings began; with
   * `rest`, also the time no step accounts for under that name (a page's render).
   */
  toJSON(rest?: string): Record<string, number> & { total: number } {
    const fields: Record<string, number> = {};
    const round = (ms: number) => Math.round(ms * 10) / 10;
    let counted = 0;
    for (const [name, ms] of this.steps) {
      fields[name] = round(ms);
      if (!this.inner.has(name)) counted += ms;
    }
    const total = performance.now() - this.started;
    if (rest) fields[rest] = round(Math.max(0, total - counted));
    return { ...fields, total: round(total) };
  }

  /** The `Server-Timing` header value (W3C Server Timing): steps, `rest`, then `total`. */
  header(rest?: string): string {
    return Object.entries(this.toJSON(rest))
      .map(([name, ms]) => `${name};dur=${ms}`)
      .join(", ");
  }
}

const storage = new AsyncLocalStorage<ServerTimings>();
const perRender = cache(() => new ServerTimings());

/** This request's timings: the route handler's, else the server render's. */
export function serverTimings(): ServerTimings {
  const store = storage.getStore();
  if (store) return store;
  try {
    return perRender();
  } catch {
    return new ServerTimings(); // outside any request (scripts, tests): timings go nowhere
  }
}

/**
 * Runs `fn` and adds its duration to the step `name`, whether it succeeds or throws. An `inner`
 * step may run inside another one and is not subtracted again when the rest is worked out.
 */
export async function timed<T>(name: string, fn: () => Promise<T>, inner = false): Promise<T> {
  const timings = serverTimings();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings.add(name, performance.now() - t0, inner);
  }
}

/**
 * Runs a route handler with its own timings and adds the `Server-Timing` header to its answer;
 * `rest` names the time no step accounts for (the handler's own work).
 */
export async function withServerTiming(
  handler: () => Promise<Response>,
  rest: string,
): Promise<{ response: Response; timings: ServerTimings }> {
  const timings = new ServerTimings();
  const response = await storage.run(timings, handler);
  const value = timings.header(rest);
  try {
    response.headers.set("Server-Timing", value);
  } catch {
    // Response.redirect() answers have immutable headers: copy them into one that is not.
    const copy = new Response(response.body, response);
    copy.headers.set("Server-Timing", value);
    return { response: copy, timings };
  }
  return { response, timings };
}

/**
 * For pages: logs this request's steps, and the render as what is left, in one `server_timing`
 * line once the response has been sent (a page's headers are gone before it has rendered).
 */
export function logTimingsAfterResponse(log: Logger, path: string): void {
  const timings = serverTimings();
  after(() => log.info({ event: "server_timing", path, timings: timings.toJSON("render") }, "server timing"));
}
