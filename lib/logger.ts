/**
 * The app's structured logs: pino, one JSON object per line on stdout, every line of a request
 * tagged with its `reqId` (set by proxy.ts, see lib/http/request-id.ts).
 *
 * What may be logged: ids (user, account, request), stable codes (`BearerError` code and reason,
 * `TokenUnavailableError` code, an IdP's OAuth `error` value) in a `code` field, methods and paths without
 * their query (an authorization code only ever travels in one, never in a field). What
 * never is: tokens, secrets, passwords, cookies, `Authorization` headers, query strings. Callers
 * keep to that; three nets catch a careless call anyway:
 * 1. `redact` blanks the fields that hold such things, at the top level and one level down
 *    (lib/shared/log-redaction.ts: one list for the app and the IdP);
 * 2. every string logged is scrubbed of anything shaped like a JWT or an HTTP credential;
 * 3. errors are serialized to name, code, reason and a scrubbed message and stack: never their
 *    `cause`, which can carry a whole response body.
 */
import "server-only";
import type { DestinationStream, LevelWithSilent, Logger } from "pino";
import { env } from "./env";
import { REQUEST_ID_HEADER } from "./http/request-id";
import { baseLogOptions, createPinoLogger } from "./shared/logging";
import { resolveLogFormat, type LogFormat } from "./shared/settings";

export type { Logger };

/**
 * JWTs and JWS (three base64url parts, the first one starting like `{"`), and the credential of
 * a `Bearer`/`Basic` authorization value or a `…token=` / `…secret=` pair in a URL or form body.
 */
const CREDENTIAL_PATTERNS: [RegExp, string][] = [
  [/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, "[redacted-jwt]"],
  [/\b(Bearer|Basic|DPoP)\s+[\w\-.~+/]+=*/gi, "$1 [redacted]"],
  [/\b([\w-]*(?:token|secret|password|code|code_verifier|cookie)=)[^&\s"';]+/gi, "$1[redacted]"],
];

/** A string with every credential-shaped part replaced. */
export function scrub(text: string): string {
  return CREDENTIAL_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

const MAX_DEPTH = 6;

/** Scrubs every string inside plain objects and arrays; errors are left to the `err` serializer. */
function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== "object" || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubDeep(item, depth + 1)]));
}

/** What an error becomes in a log line: enough to act on, nothing it may have picked up. */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const fields = error as Error & { code?: unknown; reason?: unknown; type?: unknown; status?: unknown };
  const out: Record<string, unknown> = { type: typeof fields.type === "string" ? fields.type : error.name };
  for (const key of ["code", "reason", "status"] as const) {
    if (typeof fields[key] === "string" || typeof fields[key] === "number") out[key] = fields[key];
  }
  out.message = scrub(error.message);
  if (error.stack) out.stack = scrub(error.stack);
  return out;
}

/**
 * A logger at `level` writing `format` (default: JSON) to `destination` (stdout unless given;
 * tests pass a stream), naming `instance` if given. The shape is both programs'
 * (lib/shared/logging.ts); the scrubbing is the app's.
 */
export function createLogger(
  level: LevelWithSilent,
  destination?: DestinationStream,
  format: LogFormat = "json",
  instance?: string,
): Logger {
  const base = baseLogOptions("app", level);
  const options = {
    ...base,
    ...(instance ? { base: { ...base.base, instance } } : {}),
    formatters: {
      ...base.formatters,
      log: (object: Record<string, unknown>) => scrubDeep(object) as Record<string, unknown>,
    },
    serializers: { err: serializeError },
    hooks: {
      // The message strings (and interpolation arguments) do not pass through formatters.log.
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void, _level: number) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === "string" ? scrub(arg) : arg)),
        );
      },
    },
  };
  return createPinoLogger(options, format, destination);
}

/** The app's logger, at LOG_LEVEL, in LOG_FORMAT, naming INSTANCE_ID. */
export const logger: Logger = createLogger(
  env.LOG_LEVEL,
  undefined,
  resolveLogFormat(env.LOG_FORMAT, process.stdout.isTTY),
  env.INSTANCE_ID,
);

/** A logger whose lines carry this request's id, from the headers proxy.ts set. */
export function loggerFor(headers: Pick<Headers, "get">): Logger {
  const reqId = headers.get(REQUEST_ID_HEADER);
  return reqId ? logger.child({ reqId }) : logger;
}

/**
 * The logger for the request being handled (server components, server actions, Auth.js events
 * and callbacks), or the plain logger outside a request.
 */
export async function requestLogger(): Promise<Logger> {
  try {
    const { headers } = await import("next/headers");
    return loggerFor(await headers());
  } catch {
    return logger;
  }
}
