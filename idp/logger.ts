/**
 * Structured logs (pino), in the shape the app writes too (lib/shared/logging.ts): level names,
 * ISO time, `service: "idp"`, and the request's `reqId` on every line written while a request is
 * handled. Nothing secret is logged by design: request lines carry the path but never the query
 * string, headers, cookies or bodies. The redaction list, shared with the app
 * (lib/shared/log-redaction.ts), is a second net for fields that must never appear even if
 * someone logs an object carelessly.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { DestinationStream, LevelWithSilent, Logger } from "pino";
import { baseLogOptions, createPinoLogger } from "../lib/shared/logging.ts";
import type { LogFormat } from "../lib/shared/settings.ts";

export type { Logger };

const requestIds = new AsyncLocalStorage<string>();

/** Runs `handle` with `reqId` on every line logged until it settles (idp/middleware.ts's requestLog). */
export function withRequestId<T>(reqId: string, handle: () => Promise<T>): Promise<T> {
  return requestIds.run(reqId, handle);
}

/**
 * A logger at `level`, writing `format` (default: JSON) to stdout or to `destination` (tests
 * capture lines that way).
 */
export function createLogger(
  level: LevelWithSilent = "info",
  destination?: DestinationStream,
  format: LogFormat = "json",
): Logger {
  const options = {
    ...baseLogOptions("idp", level),
    mixin: () => {
      const reqId = requestIds.getStore();
      return reqId ? { reqId } : {};
    },
  };
  return createPinoLogger(options, format, destination);
}
