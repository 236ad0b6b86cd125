/**
 * Every claim name Claimtrip defines, once. A constants-only module (no imports, no
 * `server-only`) because it is the one file both the web app and the IdP's actions import.
 *
 * Auth0 (and any careful IdP) only lets custom claims into tokens under a namespace the
 * tenant owns, a URL, so that they can never collide with registered JWT or OIDC claims.
 */

/** The namespace every Claimtrip custom claim lives under. */
export const CLAIM_NAMESPACE = "https://claimtrip.example/";

/** The roles claim: a JSON array of strings in the access token for the app's API. */
export const ROLES_CLAIM = `${CLAIM_NAMESPACE}roles`;

/** The role that makes a user an admin. */
export const ADMIN_ROLE = "admin";

/** Claims registered by RFC 7519 (JWT) and RFC 9068 (JWT access tokens). */
export const REGISTERED_CLAIMS = [
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "client_id",
  "scope",
  "auth_time",
  "acr",
  "amr",
] as const;

/** Claims defined by OpenID Connect Core for ID tokens and userinfo. */
export const OIDC_CLAIMS = [
  "nonce",
  "azp",
  "at_hash",
  "c_hash",
  "s_hash",
  "sid",
  "name",
  "given_name",
  "family_name",
  "middle_name",
  "nickname",
  "preferred_username",
  "profile",
  "picture",
  "website",
  "email",
  "email_verified",
  "gender",
  "birthdate",
  "zoneinfo",
  "locale",
  "phone_number",
  "phone_number_verified",
  "address",
  "updated_at",
] as const;

/** Which family a claim name belongs to, for the token inspector's labels. */
export type ClaimKind = "registered" | "oidc" | "custom";

export function claimKind(name: string): ClaimKind {
  if ((REGISTERED_CLAIMS as readonly string[]).includes(name)) return "registered";
  if ((OIDC_CLAIMS as readonly string[]).includes(name)) return "oidc";
  return "custom";
}
