/**
 * The Management API's failures in Auth0's shape: `{ statusCode, error, message, errorCode }`
 * with the status's reason phrase as `error`, as Auth0 documents its Management API errors.
 * Token problems are not these: they are RFC 6750 answers (auth.ts). A message never echoes
 * what the caller sent.
 */
import type Koa from "koa";

/** The statuses this API answers in Auth0's shape. */
export type ApiStatus = 400 | 404 | 409 | 413 | 415 | 501;

const REASONS: Record<ApiStatus, string> = {
  400: "Bad Request",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  501: "Not Implemented",
};

/** A refusal the caller can act on; anything else thrown becomes a 500 with details in the log only. */
export class ApiError extends Error {
  readonly statusCode: ApiStatus;
  /** Auth0's stable code, e.g. `inexistent_user`, `invalid_body`, `invalid_query_string`. */
  readonly errorCode: string;

  constructor(statusCode: ApiStatus, errorCode: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }
}

/** Auth0's body for `error`. */
export function apiErrorBody(error: ApiError): {
  statusCode: ApiStatus;
  error: string;
  message: string;
  errorCode: string;
} {
  return {
    statusCode: error.statusCode,
    error: REASONS[error.statusCode],
    message: error.message,
    errorCode: error.errorCode,
  };
}

/** Answers `error` in Auth0's shape. */
export function sendApiError(ctx: Koa.Context, error: ApiError): void {
  ctx.status = error.statusCode;
  ctx.body = apiErrorBody(error);
}
