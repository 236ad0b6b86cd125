/**
 * Structured logs (pino). Nothing secret is logged by design: request lines carry the path but
 * never the query string, headers, cookies or bodies. The redaction list is a second net for
 * fields that must never appear even if someone logs an object carelessly.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

const SECRET_FIELDS = [
  "password",
  "client_secret",
  "code",
  "code_verifier",
  "access_token",
  "refresh_token",
  "id_token",
  "id_token_hint",
  "token",
  "cookie",
  "authorization",
];

/** A logger at `level`, writing to stdout or to `destination` (tests capture lines that way). */
export function createLogger(level: LevelWithSilent = "info", destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "idp" },
    redact: {
      paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), "headers", "*.headers"],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
