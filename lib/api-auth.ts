/**
 * The app API's resource server: one verifier per process (it caches the IdP's JWKS), set up
 * from settings, and the checks the API routes (and the admin server actions) make.
 */
import "server-only";
import { ADMIN_ROLE } from "./claims";
import { env } from "./env";
import { loggerFor, requestLogger, type Logger } from "./logger";
import {
  BearerError,
  createAccessTokenVerifier,
  protect,
  readRoles,
  requireClaimIncludes,
  ServerError,
  type AccessTokenClaims,
  type AsymmetricAlgorithm,
  type ProtectResult,
  type TokenCheck,
  type VerifiedAccessToken,
} from "./resource-server";

const verifier = createAccessTokenVerifier({
  issuer: env.AUTH_ISSUER,
  audience: env.API_AUDIENCE,
  algorithms: env.API_ALGORITHMS as AsymmetricAlgorithm[],
  requiredTyp: env.API_TOKEN_TYP || false,
});

const isAdmin: TokenCheck = (token) => requireClaimIncludes(token, env.ROLES_CLAIM, ADMIN_ROLE);

/** The user's roles from the ROLES_CLAIM claim of a verified token; `[]` when absent or malformed. */
export function rolesOf(payload: AccessTokenClaims): string[] {
  return readRoles(payload, env.ROLES_CLAIM);
}

/** Logs a refusal by its RFC 6750 code and the check that failed; never the token or header. */
function logRefusal(log: Logger, error: BearerError, path: string): void {
  const fields = { event: "api_refused", path, status: error.status, code: error.code, reason: error.reason };
  if (error instanceof ServerError) log.error({ ...fields, err: error.cause }, "API error");
  else log.info(fields, "API refused the token");
}

async function guarded(request: Request, check?: TokenCheck): Promise<ProtectResult> {
  const result = await protect(verifier, request, check);
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

export type AdminVerdict = { ok: true; token: VerifiedAccessToken } | { ok: false; error: BearerError };

/**
 * The same decision as GET /api/admin, for a token the server already holds (server actions
 * that change something for admins only): verified signature, issuer, audience, type and expiry,
 * then the roles claim.
 */
export async function verifyAdminToken(token: string): Promise<AdminVerdict> {
  try {
    const verified = await verifier.verify(token);
    await isAdmin(verified);
    return { ok: true, token: verified };
  } catch (caught) {
    const error = caught instanceof BearerError ? caught : new ServerError({ cause: caught });
    logRefusal(await requestLogger(), error, "server-action");
    return { ok: false, error };
  }
}
