/**
 * The one OpenID Provider the app signs in with, built from settings alone: the local IdP by
 * default, Auth0, Keycloak or any other OP by changing AUTH_* variables.
 */
import "server-only";
import { customFetch } from "next-auth";
import type { OIDCConfig } from "next-auth/providers";
import { dpopKeyForIdp, idpTokenEndpoint } from "../dpop/key";
import { withDpopAtTokenEndpoint } from "../dpop/requests";
import { env } from "../env";
import { discoveryFetch } from "../issuer/discovery";

/** The provider id: part of the redirect URI registered at the IdP (/api/auth/callback/claimtrip). */
export const PROVIDER_ID = "claimtrip";

interface IdpProfile {
  sub: string;
  name?: string;
  email?: string;
}

/** The parameter that tells the IdP which API the access token is for (see AUTH_AUDIENCE_PARAM). */
function audienceParams(): Record<string, string> {
  if (env.AUTH_AUDIENCE_PARAM === "none") return {};
  return { [env.AUTH_AUDIENCE_PARAM]: env.API_AUDIENCE };
}

export const idp: OIDCConfig<IdpProfile> = {
  id: PROVIDER_ID,
  name: "Claimtrip IdP",
  type: "oidc",
  issuer: env.AUTH_ISSUER,
  clientId: env.AUTH_CLIENT_ID,
  clientSecret: env.AUTH_CLIENT_SECRET,
  // Authorization Code with PKCE (S256), and both CSRF (state) and ID-token replay (nonce) checks.
  checks: ["pkce", "state", "nonce"],
  authorization: { params: { scope: env.AUTH_SCOPE, ...audienceParams() } },
  // Auth.js fetches the discovery document at every sign-in start and callback: serve it from
  // the per-issuer cache (../issuer/discovery.ts), which honours the IdP's caching headers. The code
  // exchange carries a DPoP proof when the IdP does DPoP, so the tokens are bound to the app's key.
  [customFetch]: withDpopAtTokenEndpoint(discoveryFetch, idpTokenEndpoint, dpopKeyForIdp),
  profile(profile) {
    return { id: profile.sub, name: profile.name ?? profile.email ?? profile.sub, email: profile.email ?? null };
  },
};
