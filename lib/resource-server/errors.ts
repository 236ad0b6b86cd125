/**
 * Errors a protected API answers with, shaped by RFC 6750 §3 (and RFC 9449 §7.1 for DPoP).
 *
 * Every error carries a stable `code` (the RFC's `error` value), the HTTP `status`, a fixed
 * `description` (never built from anything the caller sent) and a log-safe `reason` that
 * says which check failed. `reason` is for logs and tests; it never leaves the server.
 */

export type BearerErrorCode =
  | "invalid_request"
  | "invalid_token"
  | "invalid_dpop_proof"
  | "insufficient_scope"
  | "temporarily_unavailable"
  | "server_error";

export abstract class BearerError extends Error {
  abstract readonly code: BearerErrorCode;
  abstract readonly status: number;
  /** Fixed, human-readable text sent as `error_description`. */
  readonly description: string;
  /** Which check failed, e.g. `"expired"` or `"aud"`. Log-safe; never sent to the caller. */
  readonly reason: string;

  constructor(description: string, reason: string, options?: { cause?: unknown }) {
    super(description, options);
    this.name = new.target.name;
    this.description = description;
    this.reason = reason;
  }
}

/** 400: the request is malformed (bad Authorization header, token in the URL or body). */
export class InvalidRequestError extends BearerError {
  readonly code = "invalid_request";
  readonly status = 400;
}

/** 401: a token that is expired, malformed, forged or meant for someone else. */
export class InvalidTokenError extends BearerError {
  readonly code = "invalid_token";
  readonly status = 401;
}

/**
 * 401: the request brought no credentials this API takes, no `Authorization` header or another
 * scheme. RFC 6750 §3.1: such a challenge carries no error code, the client may not have known
 * the resource is protected; the JSON body still says `invalid_token`.
 */
export class NoCredentialsError extends InvalidTokenError {}

/** 401: a DPoP proof that is missing, malformed, forged, stale, replayed or for another request (RFC 9449 §7.1). */
export class InvalidDpopProofError extends BearerError {
  readonly code = "invalid_dpop_proof";
  readonly status = 401;
}

/** 403: a valid token that does not grant this request. */
export class InsufficientScopeError extends BearerError {
  readonly code = "insufficient_scope";
  readonly status = 403;
  /** Scopes the request needs, sent as the challenge's `scope` attribute when not empty. */
  readonly scopes: readonly string[];

  constructor(description: string, reason: string, scopes: readonly string[] = []) {
    super(description, reason);
    this.scopes = scopes;
  }
}

/**
 * 503: the token could not be checked because the issuer's discovery document or keys could
 * not be fetched. The token may well be valid, so this is not a 401; clients should retry.
 */
export class TemporarilyUnavailableError extends BearerError {
  readonly code = "temporarily_unavailable";
  readonly status = 503;
  /** Seconds after which a retry makes sense (`Retry-After`). */
  readonly retryAfter: number;

  constructor(description: string, reason: string, options?: { cause?: unknown; retryAfter?: number }) {
    super(description, reason, options);
    this.retryAfter = Math.max(1, Math.ceil(options?.retryAfter ?? 5));
  }
}

/** 500: anything unexpected. The description is generic; the cause stays on the server. */
export class ServerError extends BearerError {
  readonly code = "server_error";
  readonly status = 500;

  constructor(options?: { cause?: unknown }) {
    super("The server could not process the request", "unexpected", options);
  }
}

/** An HTTP authentication scheme a protected API accepts access tokens with. */
export type AuthScheme = "Bearer" | "DPoP";

export interface ToResponseOptions {
  /** `realm` attribute of the `WWW-Authenticate` challenge. Default: none. */
  realm?: string;
  /** The schemes the API accepts, one challenge each (RFC 9449 §7.1 sends both). Default: ["Bearer"] */
  schemes?: readonly AuthScheme[];
  /** The scheme whose challenge carries `error` (sent first). Default: the first of `schemes` */
  errorScheme?: AuthScheme;
  /** `algs` of the DPoP challenge: the proof algorithms accepted (RFC 9449 §7.1). Default: none */
  dpopAlgs?: readonly string[];
  /** URL of the API's Protected Resource Metadata, sent as `resource_metadata` (RFC 9728 §5.1). Default: none */
  resourceMetadata?: string;
}

/**
 * The Fetch `Response` for an error: RFC 6750 challenge in `WWW-Authenticate` (400, 401, 403),
 * JSON body `{ error, error_description }`, `cache-control: no-store`. Anything that is not a
 * {@link BearerError} becomes a bare 500 `server_error`; no message or stack is ever sent.
 */
export function toResponse(error: unknown, options: ToResponseOptions = {}): Response {
  // Stryker disable next-line ObjectLiteral: equivalent here; the ServerError is only read for its status, code and description
  const bearerError = error instanceof BearerError ? error : new ServerError({ cause: error });
  const headers = new Headers({
    "content-type": "application/json",
    "cache-control": "no-store",
  });
  if (bearerError.status < 500) {
    headers.set("www-authenticate", challenges(bearerError, options));
  }
  if (bearerError instanceof TemporarilyUnavailableError) {
    headers.set("retry-after", String(bearerError.retryAfter));
  }
  const body = { error: bearerError.code, error_description: bearerError.description };
  return new Response(JSON.stringify(body), { status: bearerError.status, headers });
}

/**
 * One challenge per accepted scheme, the one with the error first (RFC 9110 §11.6.1 allows a
 * list); every one bare of error attributes when the request brought no credentials.
 */
function challenges(error: BearerError, options: ToResponseOptions): string {
  const schemes: readonly AuthScheme[] = options.schemes?.length ? options.schemes : ["Bearer"];
  const errorScheme = options.errorScheme ?? schemes[0] ?? "Bearer";
  const ordered = [errorScheme, ...schemes.filter((scheme) => scheme !== errorScheme)];
  const reported = error instanceof NoCredentialsError ? undefined : error;
  return ordered.map((scheme) => challenge(scheme, scheme === errorScheme ? reported : undefined, options)).join(", ");
}

function challenge(scheme: AuthScheme, error: BearerError | undefined, options: ToResponseOptions): string {
  const attributes: string[] = [];
  // The error first, where clients and scripts look for it (`Bearer error="invalid_token"`); the
  // order of attributes carries no meaning (RFC 9110 §11.2).
  if (error) {
    attributes.push(`error="${error.code}"`);
    attributes.push(`error_description="${quotable(error.description)}"`);
    if (error instanceof InsufficientScopeError && error.scopes.length > 0) {
      attributes.push(`scope="${quotable(error.scopes.join(" "))}"`);
    }
  }
  if (options.realm !== undefined) attributes.push(`realm="${quotable(options.realm)}"`);
  if (scheme === "DPoP" && options.dpopAlgs?.length) attributes.push(`algs="${quotable(options.dpopAlgs.join(" "))}"`);
  if (options.resourceMetadata !== undefined) {
    attributes.push(`resource_metadata="${quotable(options.resourceMetadata)}"`);
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent in a Response, a bare scheme is always the last challenge and Headers trims the space a `true` leaves
  return attributes.length > 0 ? `${scheme} ${attributes.join(", ")}` : scheme;
}

/**
 * RFC 6750 §3 limits attribute values to %x20-21 / %x23-5B / %x5D-7E: no quote, no backslash,
 * no control characters. Descriptions are fixed strings already; this keeps a careless one
 * from breaking out of the quoted string.
 */
function quotable(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, "");
}
