/**
 * Lifetimes (seconds) of what the IdP issues, in one place: the configuration uses them, and
 * key rotation needs the longest one to know when a retired signing key can go.
 * The access-token lifetime is a setting (IDP_ACCESS_TOKEN_TTL); the rest are fixed here.
 */

/** ID tokens: one hour, oidc-provider's default. */
export const ID_TOKEN_TTL = 60 * 60;

/** Authorization codes: one minute; they are exchanged right after the redirect. */
export const AUTHORIZATION_CODE_TTL = 60;

/** The login/consent interaction: ten minutes to type a password. */
export const INTERACTION_TTL = 10 * 60;

/** The IdP's browser session, grants and refresh tokens: fourteen days (oidc-provider's default). */
export const SESSION_TTL = 14 * 24 * 60 * 60;
export const GRANT_TTL = SESSION_TTL;
export const REFRESH_TOKEN_TTL = SESSION_TTL;

/** Allowed clock skew between the IdP and verifiers, oidc-provider's default. */
const CLOCK_TOLERANCE = 15;

/**
 * How long a retired signing key stays published: until every JWT it signed has expired
 * (the longer of access and ID tokens), plus clock skew and a margin for verifiers' JWKS caches.
 */
export function keyRetentionSeconds(accessTokenTtl: number): number {
  return Math.max(accessTokenTtl, ID_TOKEN_TTL) + CLOCK_TOLERANCE + 15 * 60;
}
