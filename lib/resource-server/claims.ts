import { InsufficientScopeError } from "./errors.ts";
import type { AccessTokenClaims, VerifiedAccessToken } from "./verify.ts";

/**
 * Authorization checks on a verified access token, in the spirit of express-oauth2-jwt-bearer's
 * `requiredScopes` and `claimIncludes`. They take the verifier's branded result type, so an
 * unverified payload does not type-check here by accident. A failed check is 403 `insufficient_scope`
 * (the token is fine; it just does not grant this), not 401.
 *
 * Malformed claims fail closed: a claim that should be a list of strings but is anything else
 * counts as empty.
 */

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** The token's scopes, from the space-delimited `scope` claim (RFC 9068 §2.2.3). */
export function readScopes(token: VerifiedAccessToken): string[] {
  const { scope } = token.payload;
  return typeof scope === "string" ? scope.split(" ").filter(Boolean) : [];
}

/**
 * Requires every one of `scopes` in the token's `scope` claim.
 *
 * @throws {InsufficientScopeError} 403, whose challenge lists `scopes`.
 */
export function requireScopes(token: VerifiedAccessToken, ...scopes: string[]): void {
  requireAnyScopeSet(token, scopes);
}

/**
 * Requires every scope of at least one of `alternatives`, for an endpoint that more than one
 * grant opens (Auth0's Management API takes `update:users` or `create:role_members` for a role
 * assignment): `requireAnyScopeSet(token, ["update:users"], ["create:role_members"])`.
 *
 * @throws {InsufficientScopeError} 403, whose challenge lists the first alternative.
 */
export function requireAnyScopeSet(token: VerifiedAccessToken, ...alternatives: readonly (readonly string[])[]): void {
  const valid = (scopes: readonly string[]) => scopes.length > 0 && scopes.every((scope) => SCOPE_TOKEN.test(scope));
  if (alternatives.length === 0 || !alternatives.every(valid)) {
    throw new TypeError("requireScopes needs one or more valid scope tokens");
  }
  const granted = new Set(readScopes(token));
  if (!alternatives.some((scopes) => scopes.every((scope) => granted.has(scope)))) {
    throw new InsufficientScopeError("The access token lacks a required scope", "scope", alternatives[0]);
  }
}

/** Whether `claim` is an array of strings containing every one of `values`. */
export function claimIncludes(token: VerifiedAccessToken, claim: string, ...values: string[]): boolean {
  if (values.length === 0) throw new TypeError("claimIncludes needs one or more values");
  const present = readStringListClaim(token.payload, claim);
  return values.every((value) => present.includes(value));
}

/**
 * Requires `claim` to be an array of strings containing every one of `values`; for example
 * `requireClaimIncludes(token, ROLES_CLAIM, ADMIN_ROLE)`.
 *
 * @throws {InsufficientScopeError} 403.
 */
export function requireClaimIncludes(token: VerifiedAccessToken, claim: string, ...values: string[]): void {
  if (!claimIncludes(token, claim, ...values)) {
    throw new InsufficientScopeError("The access token does not grant this action", `claim:${claim}`);
  }
}

/**
 * A claim that should be a list of strings (roles, groups, permissions); `[]` when it is absent
 * or anything else, so a malformed claim grants nothing.
 */
export function readStringListClaim(payload: AccessTokenClaims, claim: string): string[] {
  const value: unknown = Object.hasOwn(payload, claim) ? payload[claim] : undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) return [];
  return [...value];
}
