import { jwtVerify, type JWTHeaderParameters, type JWTPayload, type JWTVerifyGetKey } from "jose";

import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "./algorithms.ts";
import { BearerError, InvalidTokenError, TemporarilyUnavailableError } from "./errors.ts";
import { DEFAULT_CLOCK_TOLERANCE, DEFAULT_MAX_TOKEN_LENGTH, classifyJoseError, tokenShapeProblem } from "./jws.ts";
import { createKeySource, DEFAULT_FAILURE_BACKOFF_MS, type FetchLike } from "./key-source.ts";

/**
 * Verifies JWT access tokens (RFC 9068) against the issuer's published keys. Claims are only
 * ever handed out after the signature, `alg`, `typ`, `iss`, `aud`, `exp`, `nbf` and `sub` checks
 * pass. The result's type is branded, so a `JWTPayload` from elsewhere (a variable holding
 * `decodeJwt(...)`, a session) does not type-check where a verified token is expected. It is a
 * speed bump, not a wall: jose's generic `decodeJwt<T>()` written inline infers the brand.
 */

export interface AccessTokenVerifierOptions {
  /**
   * Issuer identifier, exactly as the tokens' `iss` spells it. Auth0's ends with a slash
   * (`https://tenant.auth0.com/`); the local IdP's does not (`http://localhost:4000`).
   */
  issuer: string;
  /** The API's identifier (RFC 8707 resource / Auth0 audience); `aud` must contain one of them. */
  audience: string | readonly string[];
  /**
   * Where the issuer publishes its keys. Default: the `jwks_uri` of the issuer's OpenID
   * discovery document (`<issuer without trailing slash>/.well-known/openid-configuration`),
   * fetched on first use and cached for the verifier's lifetime.
   */
  jwksUri?: string | URL;
  /** Accepted `alg` values; symmetric algorithms and `none` are refused at start-up. Default: ["RS256", "ES256"] */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Seconds of clock skew tolerated on `exp` and `nbf`. Default: 5 */
  clockTolerance?: number;
  /**
   * Required `typ` header. RFC 9068 access tokens say `at+jwt`, which also keeps an ID token
   * from passing as an access token. Auth0 sends `at+jwt` only when the API's "JSON Web Token
   * profile" is set to RFC 9068; its default "Auth0" profile sends `JWT`, so set `false` there
   * (the `aud` check still refuses ID tokens, whose audience is the client id).
   * Default: "at+jwt"
   */
  requiredTyp?: string | false;
  /** Claims required on top of `iss`, `aud`, `sub` and `exp`, which always are. Default: [] */
  requiredClaims?: readonly string[];
  /** Longest token accepted, in characters; longer ones are refused before parsing. Default: 8192 */
  maxTokenLength?: number;
  /** Milliseconds before a discovery or JWKS request is abandoned. Default: 5000 */
  timeoutDuration?: number;
  /**
   * Milliseconds after a successful JWKS fetch during which an unknown `kid` does not cause a
   * refetch: an unknown-`kid` flood costs at most one fetch per period. Default: 30000
   */
  cooldownDuration?: number;
  /** Milliseconds the JWKS is trusted before it is refetched. Default: 600000 */
  cacheMaxAge?: number;
  /**
   * Milliseconds after a failed discovery or JWKS fetch during which that URL is not tried
   * again (requests answer 503 at once), so an IdP outage is not met with a retry flood.
   * Default: {@link DEFAULT_FAILURE_BACKOFF_MS}
   */
  failureBackoff?: number;
  /** The `fetch` used for discovery and JWKS requests. Default: globalThis.fetch */
  fetch?: FetchLike;
  /**
   * Keys shared with other verifiers of this issuer (a {@link createKeySource} of its own, so one
   * JWKS cache and one backoff serve, say, access tokens and logout tokens); the key options
   * above are then ignored. Default: a key source of this verifier's own
   */
  keys?: JWTVerifyGetKey;
}

declare const verified: unique symbol;

/** Claims of a verified access token. The brand means "came out of {@link AccessTokenVerifier.verify}". */
export type AccessTokenClaims = JWTPayload & {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  readonly [verified]: true;
};

export interface VerifiedAccessToken {
  readonly payload: AccessTokenClaims;
  readonly protectedHeader: JWTHeaderParameters;
}

export interface AccessTokenVerifier {
  /**
   * Verifies a compact JWT access token.
   *
   * @throws {InvalidTokenError} 401 for every token problem, with a fixed description per kind.
   * @throws {TemporarilyUnavailableError} 503 when discovery or the JWKS cannot be fetched: the
   *   token might be fine, the server just cannot tell right now.
   */
  verify(token: string): Promise<VerifiedAccessToken>;
}

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const { issuer } = options;
  if (typeof issuer !== "string" || issuer === "") throw new TypeError("issuer must be a non-empty string");
  if (!options.jwksUri && !URL.canParse(issuer)) throw new TypeError("issuer must be a URL when jwksUri is not given");
  const audience = typeof options.audience === "string" ? [options.audience] : [...options.audience];
  if (audience.length === 0 || audience.some((value) => typeof value !== "string" || value === "")) {
    throw new TypeError("audience must be a non-empty string or list of them");
  }
  const algorithms = [...(options.algorithms ?? ["RS256", "ES256"])];
  if (algorithms.length === 0 || !algorithms.every((alg) => ASYMMETRIC_ALGORITHMS.includes(alg))) {
    throw new TypeError(`algorithms must be a non-empty subset of ${ASYMMETRIC_ALGORITHMS.join(", ")}`);
  }
  const clockTolerance = options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE;
  const typ = options.requiredTyp === false ? undefined : (options.requiredTyp ?? "at+jwt");
  const requiredClaims = [...new Set(["sub", "exp", ...(options.requiredClaims ?? [])])];
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  const failureBackoff = options.failureBackoff ?? DEFAULT_FAILURE_BACKOFF_MS;
  const getKey =
    options.keys ??
    createKeySource({
      issuer,
      jwksUri: options.jwksUri,
      fetch: options.fetch,
      timeoutDuration: options.timeoutDuration,
      cooldownDuration: options.cooldownDuration,
      cacheMaxAge: options.cacheMaxAge,
      failureBackoff,
    });

  return {
    async verify(token) {
      const shape = tokenShapeProblem(token, maxTokenLength);
      if (shape) throw new InvalidTokenError(SHAPE_DESCRIPTIONS[shape], shape);
      try {
        const { payload, protectedHeader } = await jwtVerify(token, getKey, {
          issuer,
          audience,
          algorithms,
          typ,
          clockTolerance,
          requiredClaims,
        });
        if (typeof payload.sub !== "string" || payload.sub === "") {
          throw new InvalidTokenError("The access token is not valid for this API", "sub");
        }
        return { payload: payload as AccessTokenClaims, protectedHeader };
      } catch (error) {
        throw toBearerError(error, failureBackoff);
      }
    },
  };
}

const SHAPE_DESCRIPTIONS = {
  missing: "An access token is required",
  too_large: "The access token is too large",
  malformed: "The access token is malformed",
} as const;

const DESCRIPTIONS = {
  signature: "The access token signature is invalid",
  alg_not_allowed: "The access token algorithm is not allowed",
  unknown_key: "The access token was signed with an unknown key",
  ambiguous_key: "The access token does not identify its key",
  unsupported: "The access token uses an unsupported algorithm or header",
  malformed: "The access token is malformed",
  invalid: "The access token is invalid",
} as const;

/** Every failure becomes a fixed-text error; the jose error (which holds the claims) is dropped. */
function toBearerError(error: unknown, failureBackoff: number): BearerError {
  if (error instanceof BearerError) return error;
  const failure = classifyJoseError(error);
  const invalid = (description: string, reason: string) => new InvalidTokenError(description, reason);
  switch (failure.kind) {
    case "keys_unavailable":
      return new TemporarilyUnavailableError(
        "The token issuer's keys cannot be fetched right now",
        "keys_unavailable",
        { cause: failure.cause, retryAfter: failureBackoff / 1000 },
      );
    case "expired":
      return invalid("The access token expired", "expired");
    case "claim": {
      if (failure.claim === "nbf") return invalid("The access token is not valid yet", "not_yet_valid");
      if (failure.claim === "typ") return invalid("The token is not an access token", "typ");
      const reason = failure.claim === "iss" || failure.claim === "aud" ? failure.claim : "claims";
      return invalid("The access token is not valid for this API", reason);
    }
    default:
      // "invalid" included: jose throws TypeError on odd token content, still a 401, never a 500.
      return invalid(DESCRIPTIONS[failure.kind], failure.kind);
  }
}
