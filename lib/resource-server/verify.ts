import "server-only";

import {
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type FetchImplementation,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  type RemoteJWKSet,
} from "jose";

import { BearerError, InvalidTokenError, TemporarilyUnavailableError } from "./errors";

/**
 * Verifies JWT access tokens (RFC 9068) against the issuer's published keys. Claims are only
 * ever handed out after the signature, `alg`, `typ`, `iss`, `aud`, `exp`, `nbf` and `sub` checks
 * pass. The result's type is branded, so a `JWTPayload` from elsewhere (a variable holding
 * `decodeJwt(...)`, a session) does not type-check where a verified token is expected. It is a
 * speed bump, not a wall: jose's generic `decodeJwt<T>()` written inline infers the brand.
 */

/** Signature algorithms a verifier may be configured to accept: asymmetric only. */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
  "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** Where an issuer's signing keys come from, and how they are fetched and cached. */
export interface IssuerKeySourceOptions {
  /** Issuer identifier; its discovery document names the JWKS unless `jwksUri` is given. */
  issuer: string;
  /** See {@link AccessTokenVerifierOptions.jwksUri}. */
  jwksUri?: string | URL;
  /** Milliseconds before a discovery or JWKS request is abandoned. Default: 5000 */
  timeoutDuration?: number;
  /** See {@link AccessTokenVerifierOptions.cooldownDuration}. Default: 30000 */
  cooldownDuration?: number;
  /** Milliseconds the JWKS is trusted before it is refetched. Default: 600000 */
  cacheMaxAge?: number;
  /** See {@link AccessTokenVerifierOptions.failureBackoff}. Default: 5000 */
  failureBackoff?: number;
  /** The `fetch` used for discovery and JWKS requests. Default: globalThis.fetch */
  fetch?: FetchLike;
}

/**
 * An issuer's signing keys: discovery, one cached JWKS, bounded refetches. Verifiers of tokens
 * from one issuer (access tokens, logout tokens) share one, and so one cache and one backoff.
 */
export interface IssuerKeySource {
  /** For jose's `jwtVerify`; throws {@link KeySourceError} when the keys cannot be fetched. */
  readonly getKey: JWTVerifyGetKey;
  /** Milliseconds a failed fetch blocks the next one (a `Retry-After` for callers). */
  readonly failureBackoff: number;
}

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
   * Default: 5000
   */
  failureBackoff?: number;
  /** The `fetch` used for discovery and JWKS requests. Default: globalThis.fetch */
  fetch?: FetchLike;
  /**
   * Keys shared with other verifiers of this issuer ({@link createIssuerKeySource}); the key
   * options above are then ignored. Default: a key source of this verifier's own
   */
  keys?: IssuerKeySource;
}

/** The slice of `fetch` the verifier needs. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

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

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Fetching keys failed: a server-side problem, kept apart from everything the token did. */
export class KeySourceError extends Error {}

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
  const clockTolerance = options.clockTolerance ?? 5;
  const typ = options.requiredTyp === false ? undefined : (options.requiredTyp ?? "at+jwt");
  const requiredClaims = [...new Set(["sub", "exp", ...(options.requiredClaims ?? [])])];
  const maxTokenLength = options.maxTokenLength ?? 8192;
  const { getKey, failureBackoff } = options.keys ?? createIssuerKeySource(options);

  return {
    async verify(token) {
      if (typeof token !== "string" || token === "") throw new InvalidTokenError("An access token is required", "missing");
      if (token.length > maxTokenLength) throw new InvalidTokenError("The access token is too large", "too_large");
      if (!COMPACT_JWS.test(token)) throw new InvalidTokenError("The access token is malformed", "malformed");
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

export function createIssuerKeySource(options: IssuerKeySourceOptions): IssuerKeySource {
  const { issuer } = options;
  if (typeof issuer !== "string" || issuer === "") throw new TypeError("issuer must be a non-empty string");
  if (!options.jwksUri && !URL.canParse(issuer)) throw new TypeError("issuer must be a URL when jwksUri is not given");
  const timeoutDuration = options.timeoutDuration ?? 5000;
  const failureBackoff = options.failureBackoff ?? 5000;
  const guardedFetch = createGuardedFetch(options.fetch ?? ((url, init) => globalThis.fetch(url, init)), failureBackoff);

  const createJwks = (url: URL) =>
    createRemoteJWKSet(url, {
      timeoutDuration,
      cooldownDuration: options.cooldownDuration ?? 30_000,
      cacheMaxAge: options.cacheMaxAge ?? 600_000,
      [customFetch]: guardedFetch,
    });

  // With an explicit jwksUri, bad options fail here at start-up; jose fetches nothing until used.
  let jwks: RemoteJWKSet | undefined = options.jwksUri ? createJwks(new URL(options.jwksUri)) : undefined;
  let pendingJwks: Promise<RemoteJWKSet> | undefined;
  let discoveryBlockedUntil = 0;

  function getJwks(): Promise<RemoteJWKSet> {
    if (jwks) return Promise.resolve(jwks);
    if (Date.now() < discoveryBlockedUntil) return Promise.reject(new Error("recent discovery failure; backing off"));
    pendingJwks ??= discoverJwksUri(issuer, guardedFetch, timeoutDuration)
      .then(
        (url) => (jwks = createJwks(url)),
        (error: unknown) => {
          discoveryBlockedUntil = Date.now() + failureBackoff;
          throw error;
        },
      )
      .finally(() => (pendingJwks = undefined));
    return pendingJwks;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      const keySet = await getJwks();
      return await keySet(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      ) {
        throw error;
      }
      throw new KeySourceError("keys unavailable", { cause: error });
    }
  };

  return { getKey, failureBackoff };
}

/** Every failure becomes a fixed-text error; the jose error (which holds the claims) is dropped. */
function toBearerError(error: unknown, failureBackoff: number): BearerError {
  if (error instanceof BearerError) return error;
  if (error instanceof KeySourceError) {
    return new TemporarilyUnavailableError("The token issuer's keys cannot be fetched right now", "keys_unavailable", {
      cause: error.cause,
      retryAfter: failureBackoff / 1000,
    });
  }
  const invalid = (description: string, reason: string) => new InvalidTokenError(description, reason);
  if (error instanceof errors.JWTExpired) return invalid("The access token expired", "expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return invalid("The access token is not valid yet", "not_yet_valid");
    if (error.claim === "typ") return invalid("The token is not an access token", "typ");
    const reason = error.claim === "iss" || error.claim === "aud" ? error.claim : "claims";
    return invalid("The access token is not valid for this API", reason);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid("The access token signature is invalid", "signature");
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid("The access token algorithm is not allowed", "alg_not_allowed");
  if (error instanceof errors.JWKSNoMatchingKey) return invalid("The access token was signed with an unknown key", "unknown_key");
  if (error instanceof errors.JWKSMultipleMatchingKeys) return invalid("The access token does not identify its key", "ambiguous_key");
  if (error instanceof errors.JOSENotSupported) return invalid("The access token uses an unsupported algorithm or header", "unsupported");
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return invalid("The access token is malformed", "malformed");
  // Anything else was still caused by the token's content (jose throws TypeError on odd input): 401, never 500.
  return invalid("The access token is invalid", "invalid");
}

async function discoverJwksUri(issuer: string, fetchImpl: FetchImplementation, timeout: number): Promise<URL> {
  const issuerUrl = new URL(issuer);
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const response = await fetchImpl(url, {
    method: "GET",
    redirect: "manual",
    headers: new Headers({ accept: "application/json" }),
    signal: AbortSignal.timeout(timeout),
  });
  const document: unknown = await response.json();
  if (typeof document !== "object" || document === null) throw new Error("discovery document is not an object");
  const { issuer: advertised, jwks_uri: jwksUri } = document as Record<string, unknown>;
  // OpenID Connect Discovery §4.3: the document must name the issuer we asked, exactly.
  if (advertised !== issuer) throw new Error("discovery document names another issuer");
  if (typeof jwksUri !== "string") throw new Error("discovery document has no jwks_uri");
  const jwksUrl = new URL(jwksUri);
  if (jwksUrl.protocol !== "https:" && !(jwksUrl.protocol === "http:" && issuerUrl.protocol === "http:")) {
    throw new Error("jwks_uri must use https");
  }
  return jwksUrl;
}

/**
 * A fetch that, after a failure (network error, timeout, non-200 or a body that is not JSON) for
 * a URL, refuses that URL for `backoff` ms without touching the network. jose's own cooldown
 * only starts after a *successful* JWKS fetch; this bounds fetches while the IdP is failing.
 */
function createGuardedFetch(fetchImpl: FetchLike, backoff: number): FetchImplementation {
  const blockedUntil = new Map<string, number>();
  return async (url, init) => {
    if ((blockedUntil.get(url) ?? 0) > Date.now()) throw new Error("recent fetch failure; backing off");
    try {
      const response = await fetchImpl(url, init);
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      const text = await response.text();
      JSON.parse(text);
      blockedUntil.delete(url);
      return new Response(text, { status: 200, headers: { "content-type": "application/json" } });
    } catch (error) {
      blockedUntil.set(url, Date.now() + backoff);
      throw error;
    }
  };
}
