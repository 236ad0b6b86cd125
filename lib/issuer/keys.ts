/**
 * The IdP's signing keys, as every verifier in this app process sees them: the API's access tokens
 * (lib/api/guard.ts), back-channel logout tokens (lib/backchannel/logout.ts) and the admin's ID
 * token (lib/admin/recent-sign-in.ts) share one discovery, one JWKS cache and one backoff.
 */
import "server-only";
import { env } from "../env";
import { createKeySource, DEFAULT_FAILURE_BACKOFF_MS } from "../resource-server";

/** After a failed discovery or JWKS fetch, how long before it is tried again (a 503's Retry-After). */
export const ISSUER_KEYS_BACKOFF_MS = DEFAULT_FAILURE_BACKOFF_MS;

export const issuerKeys = createKeySource({ issuer: env.AUTH_ISSUER, failureBackoff: ISSUER_KEYS_BACKOFF_MS });

/** The signature algorithms this app accepts from its IdP, for every kind of token (API_ALGORITHMS). */
export const issuerAlgorithms = env.API_ALGORITHMS;
