import "server-only";

import { assertNoTokenInBody, extractBearerToken, type BearerOptions } from "./bearer";
import { BearerError, ServerError, toResponse } from "./errors";
import type { AccessTokenVerifier, VerifiedAccessToken } from "./verify";

/**
 * Protecting an endpoint with a bearer access token, for any server that speaks Fetch
 * `Request`/`Response` (Next.js route handlers included):
 *
 * ```ts
 * const result = await protect(verifier, request, (token) =>
 *   requireClaimIncludes(token, ROLES_CLAIM, ADMIN_ROLE));
 * if (!result.ok) return result.response;
 * return Response.json({ sub: result.token.payload.sub });
 * ```
 */

/** An authorization check on a verified token; it throws a {@link BearerError} to refuse. */
export type TokenCheck = (token: VerifiedAccessToken) => void | Promise<void>;

export type ProtectResult =
  | { ok: true; token: VerifiedAccessToken }
  /** `error` is for the caller's logs (`code`, `reason`); `response` is what to send. */
  | { ok: false; error: BearerError; response: Response };

export interface ProtectOptions extends BearerOptions {
  /** `realm` of the `WWW-Authenticate` challenge. Default: none. */
  realm?: string;
}

/**
 * Reads the bearer token (header only; refused in the URL or a form body), verifies it, runs
 * `check`, and returns the token or a ready RFC 6750 error response. Never throws: a `check`
 * that throws something other than a {@link BearerError} becomes a 500 with a generic body.
 */
export async function protect(
  verifier: AccessTokenVerifier,
  request: Request,
  check?: TokenCheck,
  options: ProtectOptions = {},
): Promise<ProtectResult> {
  try {
    await assertNoTokenInBody(request, options);
    const token = await verifier.verify(extractBearerToken(request, options));
    await check?.(token);
    return { ok: true, token };
  } catch (caught) {
    const error = caught instanceof BearerError ? caught : new ServerError({ cause: caught });
    return { ok: false, error, response: toResponse(error, { realm: options.realm }) };
  }
}

export {
  assertNoTokenInBody,
  extractBearerToken,
  extractBearerTokenFromNode,
  parseAuthorizationHeader,
  type BearerOptions,
  type NodeRequestLike,
} from "./bearer";
export { claimIncludes, readRoles, readScopes, requireClaimIncludes, requireScopes } from "./claims";
export {
  BearerError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  ServerError,
  TemporarilyUnavailableError,
  toResponse,
  type BearerErrorCode,
  type ToResponseOptions,
} from "./errors";
export {
  ASYMMETRIC_ALGORITHMS,
  createAccessTokenVerifier,
  createIssuerKeySource,
  KeySourceError,
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type AsymmetricAlgorithm,
  type FetchLike,
  type IssuerKeySource,
  type IssuerKeySourceOptions,
  type VerifiedAccessToken,
} from "./verify";
