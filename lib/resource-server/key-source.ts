import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey, type RemoteJWKSet } from "jose";

import { DEFAULT_TIMEOUT_MS, fetchDiscovery, type FetchLike } from "./discovery.ts";

/**
 * Where a verifier's keys come from: the issuer's JWKS, found through OpenID discovery unless
 * given, cached by jose (refetched on an unknown `kid` at most once per cooldown), and guarded
 * so that an issuer that is down is not met with a retry flood. Kept apart from verify.ts, which
 * checks tokens, so that anything else verifying JWTs from the same issuer can share the logic.
 */

export type { FetchLike };

/** Milliseconds after a failed discovery or JWKS fetch during which it is not tried again, by default. */
export const DEFAULT_FAILURE_BACKOFF_MS = 5_000;

export interface KeySourceOptions {
  /** Issuer identifier, exactly as the tokens' `iss` spells it. */
  issuer: string;
  /** Where the issuer publishes its keys. Default: the `jwks_uri` of its discovery document */
  jwksUri?: string | URL;
  /** The `fetch` used for discovery and JWKS requests. Default: globalThis.fetch */
  fetch?: FetchLike;
  /** Milliseconds before a discovery or JWKS request is abandoned. Default: DEFAULT_TIMEOUT_MS (./discovery.ts) */
  timeoutDuration?: number;
  /** Milliseconds after a JWKS fetch during which an unknown `kid` does not refetch. Default: 30000 */
  cooldownDuration?: number;
  /** Milliseconds the JWKS is trusted before it is refetched. Default: 600000 */
  cacheMaxAge?: number;
  /** Milliseconds after a failed discovery or JWKS fetch during which it is not tried again. Default: {@link DEFAULT_FAILURE_BACKOFF_MS} */
  failureBackoff?: number;
}

/** Fetching keys failed: a server-side problem, kept apart from everything the token did. */
export class KeySourceError extends Error {}

/**
 * A `jwtVerify` key resolver for `issuer`. Errors that the token caused (no key with its `kid`,
 * an algorithm the key cannot do) pass through as jose throws them; every failure to obtain the
 * keys becomes a {@link KeySourceError}.
 */
export function createKeySource(options: KeySourceOptions): JWTVerifyGetKey {
  const { issuer } = options;
  const timeoutDuration = options.timeoutDuration ?? DEFAULT_TIMEOUT_MS;
  const failureBackoff = options.failureBackoff ?? DEFAULT_FAILURE_BACKOFF_MS;
  const guardedFetch = createGuardedFetch(
    options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    failureBackoff,
  );

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

  return async (header, token) => {
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
}

async function discoverJwksUri(issuer: string, fetchImpl: FetchLike, timeout: number): Promise<URL> {
  const issuerUrl = new URL(issuer);
  const response = await fetchDiscovery(issuer, { fetch: fetchImpl, timeout });
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
function createGuardedFetch(fetchImpl: FetchLike, backoff: number): FetchLike {
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
