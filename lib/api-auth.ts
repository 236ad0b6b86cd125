/**
 * The app API's resource server: one verifier per process (it caches the IdP's JWKS), set up
 * from settings, and the checks the API routes make.
 */
import "server-only";
import { ADMIN_ROLE, ROLES_CLAIM } from "./claims";
import { env } from "./env";
import {
  createAccessTokenVerifier,
  protect,
  requireClaimIncludes,
  type AsymmetricAlgorithm,
  type ProtectResult,
} from "./resource-server";

const verifier = createAccessTokenVerifier({
  issuer: env.AUTH_ISSUER,
  audience: env.API_AUDIENCE,
  algorithms: env.API_ALGORITHMS as AsymmetricAlgorithm[],
  requiredTyp: env.API_TOKEN_TYP || false,
});

/** Any valid access token for this API. */
export function authenticate(request: Request): Promise<ProtectResult> {
  return protect(verifier, request);
}

/** A valid access token whose roles claim contains `admin`; otherwise 403 insufficient_scope. */
export function authenticateAdmin(request: Request): Promise<ProtectResult> {
  return protect(verifier, request, (token) => requireClaimIncludes(token, ROLES_CLAIM, ADMIN_ROLE));
}
