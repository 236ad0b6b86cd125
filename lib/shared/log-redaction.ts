/**
 * Field names whose values are credentials, wherever they appear in a log line: one list for
 * both programs' loggers (lib/logger.ts, idp/logger.ts). Plain Node, like lib/shared/settings.ts.
 *
 * Not `code`: in both programs' log lines `code` is a stable error code (a `TokenUnavailableError`'s code,
 * an OAuth `error` value), which is what makes a line worth reading. An authorization code only
 * travels in a query string or a form body, which neither program logs (and lib/logger.ts
 * scrubs `code=…` from any string).
 */
export const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "cookies",
  "set-cookie",
  "headers",
  "password",
  "secret",
  "client_secret",
  "clientSecret",
  "code_verifier",
  "access_token",
  "accessToken",
  "refresh_token",
  "refreshToken",
  "id_token",
  "idToken",
  "id_token_hint",
  "logout_token",
  "token",
  "sessionToken",
  "session_token",
  "dpop",
] as const;

/** Paths for pino's `redact`: each field at the top level and inside any top-level object. */
export const REDACT_PATHS: string[] = SECRET_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_]\w*$/.test(field) ? field : `["${field}"]`;
  return [key, `*.${key}`];
});
