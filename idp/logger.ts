/**
 * Structured logs (pino). Nothing secret is logged by design: request lines carry the path but
 * never the query string, headers, cookies or bodies. The redaction list, shared with the app
 * (lib/shared/log-redaction.ts), is a second net for fields that must never appear even if
 * someone logs an object carelessly.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";
import { REDACT_PATHS } from "../lib/shared/log-redaction.ts";

export type { Logger };

/** A logger at `level`, writing to stdout or to `destination` (tests capture lines that way). */
export function createLogger(level: LevelWithSilent = "info", destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "idp" },
    redact: {
      paths: REDACT_PATHS,
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
