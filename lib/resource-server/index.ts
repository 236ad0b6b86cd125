/**
 * Protecting an endpoint with an access token, bearer or DPoP-bound (pass `{ dpop }`, see
 * ./dpop.ts), for any server that speaks Fetch `Request`/`Response` (Next.js route handlers
 * included):
 *
 * ```ts
 * const result = await protect(verifier, request, (token) =>
 *   requireClaimIncludes(token, ROLES_CLAIM, ADMIN_ROLE));
 * if (!result.ok) return result.response;
 * return Response.json({ sub: result.token.payload.sub });
 * ```
 *
 * This folder depends on jose and nothing else: no `server-only` (that guard belongs to the app
 * module that wires it up, lib/api/guard.ts), no settings, no claim names. Its imports spell the
 * `.ts` extension so that plain Node (type stripping) runs it as it is; test/plain-node.test.ts
 * proves that with the README's example.
 */
import { assertNoTokenInBody, extractCredentials, type BearerOptions, type Credentials } from "./bearer.ts";
import { boundThumbprint, type DpopVerifier } from "./dpop.ts";
import { BearerError, InvalidTokenError, ServerError, toResponse, type AuthScheme } from "./errors.ts";
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
  /**
   * DPoP (RFC 9449): its mode says whether the `DPoP` scheme is accepted (`allowed`), the only
   * one (`required`), or refused (`off`). Default: none, as `off`. In every mode a DPoP-bound
   * token (`cnf.jkt`) is accepted only with a valid proof, never as a bearer token.
   */
  dpop?: DpopVerifier;
  /** URL of the API's Protected Resource Metadata (RFC 9728), named in every challenge. Default: none */
  resourceMetadata?: string;
}

/**
 * Reads the access token (header only; refused in the URL or a form body), verifies it and its
 * DPoP proof when it is bound to a key, runs `check`, and returns the token or a ready RFC 6750 /
 * RFC 9449 error response. Never throws: a `check` that throws something other than a
 * {@link BearerError} becomes a 500 with a generic body.
 */
export async function protect(
  verifier: AccessTokenVerifier,
  request: Request,
  check?: TokenCheck,
  options: ProtectOptions = {},
): Promise<ProtectResult> {
  const mode = options.dpop?.mode ?? "off";
  const schemes: AuthScheme[] = mode === "required" ? ["DPoP"] : mode === "allowed" ? ["Bearer", "DPoP"] : ["Bearer"];
  let errorScheme: AuthScheme = schemes[0] as AuthScheme;
  const refuse = (error: BearerError) => ({
    ok: false as const,
    error,
    response: toResponse(error, {
      realm: options.realm,
      schemes,
      errorScheme,
      dpopAlgs: options.dpop?.algorithms,
      resourceMetadata: options.resourceMetadata,
    }),
  });
  let credentials: Credentials;
  try {
    await assertNoTokenInBody(request, options);
    credentials = extractCredentials(request, schemes, options);
  } catch (caught) {
    return refuse(asBearerError(caught));
  }
  if (credentials.scheme === "DPoP") errorScheme = "DPoP";
  const result = await authorizeToken(verifier, credentials.token, async (token) => {
    await checkBinding(token, credentials, request, options.dpop, () => {
      if (schemes.includes("DPoP")) errorScheme = "DPoP";
    });
    await check?.(token);
  });
  return result.ok ? result : refuse(result.error);
}

/**
 * No downgrade: a token bound to a key goes with the DPoP scheme and a valid proof, whatever the
 * mode; an unbound one never goes with the DPoP scheme, nor at all where DPoP is required.
 */
async function checkBinding(
  token: VerifiedAccessToken,
  { scheme, token: accessToken }: Credentials,
  request: Request,
  dpop: DpopVerifier | undefined,
  challengeDpop: () => void,
): Promise<void> {
  const jkt = boundThumbprint(token.payload);
  if (jkt !== undefined) {
    challengeDpop();
    if (scheme !== "DPoP" || !dpop) {
      throw new InvalidTokenError(
        "The access token is DPoP-bound: send it with the DPoP scheme and a proof",
        "bound_as_bearer",
      );
    }
    const proofs = request.headers.get("dpop");
    await dpop.verifyProof({
      method: request.method,
      url: dpop.requestUrl(request),
      proofs: proofs === null ? [] : [proofs],
      accessToken,
      jkt,
    });
    return;
  }
  if (scheme === "DPoP") throw new InvalidTokenError("The access token is not DPoP-bound", "unbound_as_dpop");
  if (dpop?.mode === "required") {
    challengeDpop();
    throw new InvalidTokenError("This API accepts DPoP-bound access tokens only", "bearer_refused");
  }
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
  extractCredentials,
  parseCredentials,
  type Credentials,
  extractBearerTokenFromNode,
  parseAuthorizationHeader,
  type BearerOptions,
  type NodeRequestLike,
} from "./bearer.ts";
export {
  claimIncludes,
  readScopes,
  readStringListClaim,
  requireClaimIncludes,
  requireScopes,
  requireAnyScopeSet,
} from "./claims.ts";
export {
  BearerError,
  InsufficientScopeError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  NoCredentialsError,
  ServerError,
  TemporarilyUnavailableError,
  toResponse,
  type AuthScheme,
  type BearerErrorCode,
  type ToResponseOptions,
} from "./errors.ts";
export {
  boundThumbprint,
  createDpopVerifier,
  createMemoryReplayStore,
  DPOP_MODES,
  type DpopMode,
  type DpopProofInput,
  type DpopVerifier,
  type DpopVerifierOptions,
  type ReplayStore,
} from "./dpop.ts";
export { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "./algorithms.ts";
export {
  createKeySource,
  DEFAULT_FAILURE_BACKOFF_MS,
  KeySourceError,
  type FetchLike,
  type KeySourceOptions,
} from "./key-source.ts";
export {
  createAccessTokenVerifier,
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type VerifiedAccessToken,
} from "./verify.ts";
export {
  classifyJoseError,
  DEFAULT_CLOCK_TOLERANCE,
  DEFAULT_MAX_TOKEN_LENGTH,
  isCompactJwe,
  isCompactJws,
  tokenShapeProblem,
  type JoseFailure,
} from "./jws.ts";
export { DEFAULT_TIMEOUT_MS, discoveryUrl, fetchDiscovery, type DiscoveryRequestOptions } from "./discovery.ts";
export { BodyTooLargeError, readBoundedBody, type ReadBodyOptions } from "./body.ts";
