/**
 * The Management API as a resource server, with the same verifier as the app's API
 * (lib/resource-server/): a JWT access token (RFC 9068) this IdP signed for `<issuer>/api/v2/`,
 * checked against the IdP's own public keys, and failures answered in RFC 6750 terms. Only the
 * management client's client-credentials tokens count: `client_id` and `sub` must both be that
 * client, so a token another client got for this audience (a user's, or another machine's) opens
 * nothing.
 */
import { createLocalJWKSet } from "jose";
import type Koa from "koa";
import {
  type BearerError,
  createAccessTokenVerifier,
  extractBearerTokenFromNode,
  InvalidTokenError,
  toResponse,
  type VerifiedAccessToken,
} from "../../lib/resource-server/index.ts";
import { publicJwk, SIGNING_ALG, type StoredKey } from "../keys.ts";

/** The `realm` of every challenge. */
const REALM = "Management API";

export interface ManagementAuthOptions {
  issuer: string;
  audience: string;
  /** The one client whose client-credentials tokens are accepted (claimtrip-management). */
  clientId: string;
  /** The IdP's signing keys (private JWKs; only their public parts are used). */
  keys: readonly StoredKey[];
}

/** Returns a function that finds and verifies the bearer token of a request, or throws a {@link BearerError}. */
export function createManagementAuth(
  options: ManagementAuthOptions,
): (ctx: Koa.Context) => Promise<VerifiedAccessToken> {
  const verifier = createAccessTokenVerifier({
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [SIGNING_ALG],
    requiredClaims: ["iat"],
    keys: createLocalJWKSet({ keys: options.keys.map(publicJwk) }),
  });
  return async (ctx) => {
    // The header only (a token in the query string is refused); Koa's ctx.req is node's IncomingMessage.
    const token = await verifier.verify(extractBearerTokenFromNode(ctx.req));
    const { client_id: clientId, sub } = token.payload;
    if (clientId !== options.clientId || sub !== options.clientId) {
      throw new InvalidTokenError("The access token is not the management client's", "not_management_client");
    }
    return token;
  };
}

/** Writes a {@link BearerError} as the library answers it (RFC 6750 challenge, JSON body, no-store). */
export async function sendBearerError(ctx: Koa.Context, error: BearerError): Promise<void> {
  const response = toResponse(error, { realm: REALM });
  ctx.status = response.status;
  response.headers.forEach((value, name) => {
    ctx.set(name, value);
  });
  ctx.body = await response.json();
}
