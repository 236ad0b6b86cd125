/**
 * Every claim name Claimtrip defines, once, and the rule a custom claim's name must follow.
 * Constants and pure functions only (no imports, no `server-only`): the web app, the IdP and the
 * scripts all import it.
 *
 * Auth0 (and any careful IdP) only lets custom claims into tokens under a namespace the
 * tenant owns, a URL, so that they can never collide with registered JWT or OIDC claims.
 */

/** The namespace every Claimtrip custom claim lives under. */
export const CLAIM_NAMESPACE = "https://claimtrip.example/";

/**
 * The roles claim: a JSON array of strings in the access token for the app's API. This is the
 * default of the `ROLES_CLAIM` setting (lib/shared/settings.ts), for a tenant with its own namespace.
 */
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
  "cnf",
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

/** Non-namespaced names people reach for first; Auth0 drops them from tokens. */
export const POPULAR_BARE_NAMES = ["roles", "groups", "permissions", "role", "group", "admin"] as const;

/** Domains Auth0 reserves for its own claim namespaces. */
export const RESERVED_NAMESPACE_HOSTS = ["auth0.com", "webtask.io", "webtask.run"] as const;

/**
 * Why `name` cannot be a custom claim that reaches an API through Auth0 (or any careful IdP),
 * or `undefined` when it can: it must be an http(s) URL you own, not a registered claim and not
 * under a namespace Auth0 reserves. One rule for the IdP's actions and for the `ROLES_CLAIM` setting.
 */
export function claimNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "A custom claim name must be a non-empty string.";
  const suggestion = `${CLAIM_NAMESPACE}${name.replace(/^\/+/, "")}`;
  if ((REGISTERED_CLAIMS as readonly string[]).includes(name) || (OIDC_CLAIMS as readonly string[]).includes(name)) {
    return (
      `"${name}" is a registered JWT/OIDC claim: the IdP sets it and Auth0 refuses to let actions override it. ` +
      `Put your value under a namespace you own, e.g. "${suggestion}".`
    );
  }
  const url = URL.canParse(name) ? new URL(name) : undefined;
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    const popular = (POPULAR_BARE_NAMES as readonly string[]).includes(name) ? ` ("${name}" is the usual mistake)` : "";
    return (
      `"${name}" is not namespaced${popular}: Auth0 silently drops custom claims whose name is not an ` +
      `http(s) URL, so nothing would reach the API. Use a namespace you own, e.g. "${suggestion}".`
    );
  }
  const host = url.hostname.toLowerCase();
  if (RESERVED_NAMESPACE_HOSTS.some((reserved) => host === reserved || host.endsWith(`.${reserved}`))) {
    return `"${name}" uses a namespace Auth0 reserves (${host}); use a domain you own, e.g. "${suggestion}".`;
  }
  return undefined;
}

/**
 * Short notes the token inspector shows beside a claim: where the claim tends to go missing on
 * its way into an API's code.
 */
export const CLAIM_NOTES: Readonly<Record<string, string>> = {
  sub:
    "The user's id at the IdP. ASP.NET Core's JWT bearer handler renames it to the nameidentifier claim type " +
    "(http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier) unless MapInboundClaims is false, " +
    "so an API that lists User.Claims may report sub as missing.",
  cnf:
    "cnf.jkt: this token is DPoP-bound (RFC 9449) to the key whose thumbprint this is, which only the app's servers " +
    "hold; the API accepts it only with a fresh proof signed by that key, so a copy of the token alone opens nothing.",
};

/** Which family a claim name belongs to, for the token inspector's labels. */
export type ClaimKind = "registered" | "oidc" | "custom";

export function claimKind(name: string): ClaimKind {
  if ((REGISTERED_CLAIMS as readonly string[]).includes(name)) return "registered";
  if ((OIDC_CLAIMS as readonly string[]).includes(name)) return "oidc";
  return "custom";
}
