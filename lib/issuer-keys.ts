/**
 * The IdP's signing keys, as every verifier in this app process sees them: the API's
 * access-token verifier (lib/api-auth.ts) and the back-channel logout endpoint's logout-token
 * verifier (lib/auth/backchannel-logout.ts) share one discovery, one JWKS cache and one backoff.
 */
import "server-only";
import { env } from "./env";
import { createIssuerKeySource, type AsymmetricAlgorithm } from "./resource-server";

export const issuerKeys = createIssuerKeySource({ issuer: env.AUTH_ISSUER });

/** The signature algorithms this app accepts from its IdP, for every kind of token (API_ALGORITHMS). */
export const issuerAlgorithms = env.API_ALGORITHMS as AsymmetricAlgorithm[];
