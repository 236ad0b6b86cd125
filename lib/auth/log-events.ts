/**
 * What the sign-in machinery writes to the logs: user ids and stable codes only.
 *
 * Auth.js's own logger prints error causes with their details (which can hold a token
 * endpoint's answer) and, in debug mode, whole token sets and cookies. The app replaces it: an
 * error is logged as its Auth.js type and its cause's type and code; debug output is dropped.
 */
import "server-only";
import type { NextAuthConfig } from "next-auth";
import { requestLogger } from "../logger";

/** An OAuth `error` value as it may be logged: a plain code, or `other` for anything odd. */
export function oauthErrorCode(value: unknown): string {
  return typeof value === "string" && /^[a-z0-9_-]{1,64}$/i.test(value) ? value : "other";
}

/** The parts of an Auth.js error that say what went wrong without repeating what was sent. */
export function describeAuthError(error: Error): Record<string, string> {
  const { type, cause } = error as Error & { type?: unknown; cause?: unknown };
  const out: Record<string, string> = { code: oauthErrorCode(typeof type === "string" ? type : error.name) };
  const inner = cause && typeof cause === "object" && "err" in cause ? (cause as { err: unknown }).err : cause;
  if (inner instanceof Error) {
    const { type: innerType, code: innerCode } = inner as Error & { type?: unknown; code?: unknown };
    out.cause = oauthErrorCode(typeof innerType === "string" ? innerType : inner.name);
    if (innerCode !== undefined) out.causeCode = oauthErrorCode(innerCode);
  }
  return out;
}

/** Auth.js's `logger` option. */
export const authLogger: NonNullable<NextAuthConfig["logger"]> = {
  error(error) {
    void requestLogger().then((log) =>
      log.warn({ event: "auth_error", ...describeAuthError(error) }, "Auth.js refused a request"),
    );
  },
  warn(code) {
    void requestLogger().then((log) =>
      log.warn({ event: "auth_warning", code: oauthErrorCode(code) }, "Auth.js warning"),
    );
  },
  // Auth.js debug messages include token sets, profiles and cookies: never forwarded.
  debug() {},
};
