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
 *
 * This folder depends on jose and nothing else: no `server-only` (that guard belongs to the app
 * module that wires it up, lib/api-auth.ts), no settings, no claim names. Its imports spell the
 * `.ts` extension so that plain Node (type stripping) runs it as it is; test/plain-node.test.ts
 * proves that with the README's example.
 */
import { assertNoTokenInBody, extractBearerToken, type BearerOptions } from "./bearer.ts";
import { BearerError, ServerError, toResponse } from "./errors.ts";
import type { AccessTokenVerifier, VerifiedAccessToken } from "./verify.ts";

/** An authorization check on a verified token; it throws a {@link BearerError} to refuse. */
export type TokenCheck = (token: VerifiedAccessToken) => void | Promise<void>;

export type ProtectResult =
  | { ok: true; token: VerifiedAccessToken }
  /** `error` is for the caller's logs (`code`, `reason`); `response` is what to send. */
  | { ok: false; error: BearerError; response: Response };

export type AuthorizeResult = { ok: true; token: VerifiedAccessToken } | { ok: false; error: BearerError };

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
  let token: string;
  try {
    await assertNoTokenInBody(request, options);
    token = extractBearerToken(request, options);
  } catch (caught) {
    const error = asBearerError(caught);
    return { ok: false, error, response: toResponse(error, { realm: options.realm }) };
  }
  const result = await authorizeToken(verifier, token, check);
  return result.ok ? result : { ...result, response: toResponse(result.error, { realm: options.realm }) };
}

/**
 * The decision {@link protect} makes, for a token the server already holds rather than one a
 * request brought (a server action acting with the signed-in user's own token): verify, then
 * run `check`. Never throws; anything but a {@link BearerError} becomes a {@link ServerError}.
 */
export async function authorizeToken(
  verifier: AccessTokenVerifier,
  token: string,
  check?: TokenCheck,
): Promise<AuthorizeResult> {
  try {
    const verified = await verifier.verify(token);
    await check?.(verified);
    return { ok: true, token: verified };
  } catch (caught) {
    return { ok: false, error: asBearerError(caught) };
  }
}

const asBearerError = (caught: unknown): BearerError =>
  caught instanceof BearerError ? caught : new ServerError({ cause: caught });

export {
  assertNoTokenInBody,
  extractBearerToken,
  extractBearerTokenFromNode,
  parseAuthorizationHeader,
  type BearerOptions,
  type NodeRequestLike,
} from "./bearer.ts";
export { claimIncludes, readScopes, readStringListClaim, requireClaimIncludes, requireScopes } from "./claims.ts";
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
} from "./errors.ts";
export { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "./algorithms.ts";
export { createKeySource, KeySourceError, type FetchLike, type KeySourceOptions } from "./key-source.ts";
export {
  createAccessTokenVerifier,
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type VerifiedAccessToken,
} from "./verify.ts";
