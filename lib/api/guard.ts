/**
 * The app API's resource server: one verifier per process (it caches the IdP's JWKS), set up
 * from settings, and the checks the API routes (and the admin server actions) make.
 *
 * lib/resource-server/ is a plain Node library (no settings, no claim names, no `server-only`);
 * this module is where the app wires it to its settings and to its roles claim, so the
 * server-only guard sits here.
 */
import "server-only";
import { dpopVerifier, resourceMetadataUrl } from "./dpop";
import { ADMIN_ROLE } from "../shared/claims";
import { env } from "../env";
import { issuerAlgorithms, issuerKeys } from "../issuer/keys";
import { loggerFor, requestLogger, type Logger } from "../logger";
import {
  authorizeToken,
  createAccessTokenVerifier,
  protect,
  readStringListClaim,
  requireClaimIncludes,
  ServerError,
  type AccessTokenClaims,
  type AuthorizeResult,
  type BearerError,
  type ProtectResult,
  type TokenCheck,
} from "../resource-server";
import { withVerifiedTokenCache } from "../resource-server/verified-cache";

// The same token comes back on every page until it is refreshed: verify it once, then reuse the
// result while it is valid, for at most a minute (lib/resource-server/verified-cache.ts).
const verifier = withVerifiedTokenCache(
  createAccessTokenVerifier({
    issuer: env.AUTH_ISSUER,
    audience: env.API_AUDIENCE,
    algorithms: issuerAlgorithms,
    requiredTyp: env.API_TOKEN_TYP || false,
    keys: issuerKeys,
  }),
);

const isAdmin: TokenCheck = (token) => requireClaimIncludes(token, env.ROLES_CLAIM, ADMIN_ROLE);

/** The roles claim (the ROLES_CLAIM setting) of a verified token; `[]` when absent or not a list of strings. */
export function readRoles(payload: AccessTokenClaims): string[] {
  return readStringListClaim(payload, env.ROLES_CLAIM);
}

/** Logs a refusal by its RFC 6750 code and the check that failed; never the token or header. */
function logRefusal(log: Logger, error: BearerError, path: string): void {
  const fields = { event: "api_refused", path, status: error.status, code: error.code, reason: error.reason };
  if (error instanceof ServerError) log.error({ ...fields, err: error.cause }, "API error");
  else log.info(fields, "API refused the token");
}

// Bearer or DPoP-bound tokens as API_DPOP says; a bound token only with its proof (lib/api/dpop.ts).
// The realm (RFC 6750 §3) names the protection space: this API's identifier, the audience its tokens carry.
const protectOptions = { dpop: dpopVerifier, resourceMetadata: resourceMetadataUrl(), realm: env.API_AUDIENCE };

async function guarded(request: Request, check?: TokenCheck): Promise<ProtectResult> {
  const result = await protect(verifier, request, check, protectOptions);
  if (!result.ok) logRefusal(loggerFor(request.headers), result.error, new URL(request.url).pathname);
  return result;
}

/** Any valid access token for this API. */
export function authenticate(request: Request): Promise<ProtectResult> {
  return guarded(request);
}

/** A valid access token whose roles claim contains `admin`; otherwise 403 insufficient_scope. */
export function authenticateAdmin(request: Request): Promise<ProtectResult> {
  return guarded(request, isAdmin);
}

/**
 * The same decision as GET /api/admin, for a token the server already holds (server actions
 * that change something for admins only): verified signature, issuer, audience, type and expiry,
 * then the roles claim.
 */
export async function verifyAdminToken(token: string): Promise<AuthorizeResult> {
  const result = await authorizeToken(verifier, token, isAdmin);
  if (!result.ok) logRefusal(await requestLogger(), result.error, "server-action");
  return result;
}
