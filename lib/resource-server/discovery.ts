/**
 * The one request for an issuer's OpenID discovery document, for every program here: the key
 * source (its `jwks_uri`), the app's metadata cache, and the doctor. What each makes of the
 * answer is its own business; where the document lives and how it is asked for is said here.
 */

/** The slice of `fetch` the verifiers need. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Milliseconds before a request to the issuer (discovery, JWKS) is abandoned, by default. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * `<issuer>/.well-known/openid-configuration`, trailing slashes of the issuer dropped first
 * (OpenID Connect Discovery §4.1), so Auth0's `https://tenant.auth0.com/` and the local IdP's
 * `http://localhost:4000` both work.
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

export interface DiscoveryRequestOptions {
  /** Default: globalThis.fetch, as it is at the time of the request */
  fetch?: FetchLike;
  /** Milliseconds before the request is abandoned. Default: DEFAULT_TIMEOUT_MS */
  timeout?: number;
}

/**
 * GETs the discovery document of `issuer`. Never from an HTTP cache, and redirects are not
 * followed: the document must be where the issuer identifier says (a 3xx comes back as it is).
 * The caller checks the status and reads the body.
 */
export function fetchDiscovery(issuer: string, options: DiscoveryRequestOptions = {}): Promise<Response> {
  const fetchImpl = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  return fetchImpl(discoveryUrl(issuer), {
    method: "GET",
    redirect: "manual",
    cache: "no-store",
    headers: new Headers({ accept: "application/json" }),
    signal: AbortSignal.timeout(options.timeout ?? DEFAULT_TIMEOUT_MS),
  });
}
