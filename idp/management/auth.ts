/**
 * The Management API as a resource server: it accepts a JWT access token (RFC 9068) that this
 * IdP signed for the audience `<issuer>/api/v2/`, checked like any API checks its tokens
 * (signature against the IdP's own public keys, algorithm, `typ`, `iss`, `aud`, `exp`), and
 * answers failures in RFC 6750 terms. Tokens come from the client credentials grant, and only
 * the management client's own count: `client_id` and `sub` must both be that client, so a token
 * another client got for this audience (a user's, or another machine's) opens nothing. Nothing
 * here trusts a claim before the signature is checked.
 */
import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from "jose";
import type Koa from "koa";
import { SIGNING_ALG, type StoredKey } from "../keys.ts";

/** Longer than any token this IdP signs; refused before parsing. */
const MAX_TOKEN_LENGTH = 8192;

/** RFC 6750 §2.1: `Bearer` and a token68. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

export type BearerErrorCode = "invalid_request" | "invalid_token" | "insufficient_scope";

/** A refusal: 400, 401 or 403 with a `WWW-Authenticate: Bearer` challenge. */
export class BearerError extends Error {
  readonly code: BearerErrorCode;
  readonly description: string;
  /** The scope a 403 names (RFC 6750 §3). */
  readonly scope?: string;

  // Fields spelled out, not constructor parameter properties: Node's type stripping (how the IdP
  // runs) accepts only erasable TypeScript.
  constructor(code: BearerErrorCode, description: string, scope?: string) {
    super(description);
    this.code = code;
    this.description = description;
    this.scope = scope;
  }

  get status(): number {
    return this.code === "invalid_request" ? 400 : this.code === "insufficient_scope" ? 403 : 401;
  }
}

/** Writes a {@link BearerError} as RFC 6750 says: challenge, JSON body, no-store. */
export function sendBearerError(ctx: Koa.Context, error: BearerError): void {
  const params = [`realm="Management API"`, `error="${error.code}"`, `error_description="${error.description}"`];
  if (error.scope) params.push(`scope="${error.scope}"`);
  ctx.status = error.status;
  ctx.set("WWW-Authenticate", `Bearer ${params.join(", ")}`);
  ctx.set("Cache-Control", "no-store");
  ctx.body = { error: error.code, error_description: error.description };
}

/** What a verified Management API token says. */
export interface ManagementToken {
  clientId: string;
  scopes: ReadonlySet<string>;
}

export interface ManagementAuthOptions {
  issuer: string;
  audience: string;
  /** The one client whose client-credentials tokens are accepted (claimtrip-management). */
  clientId: string;
  /** The IdP's signing keys (private JWKs; only their public parts are used). */
  keys: readonly StoredKey[];
}

/** The public part of a signing key, as the JWKS endpoint publishes it. */
export function publicJwk({ jwk }: StoredKey): JWK {
  const { kty, n, e, kid } = jwk;
  return { kty, n, e, kid, alg: SIGNING_ALG, use: "sig" };
}

/** Returns a function that finds and verifies the bearer token of a request, or throws {@link BearerError}. */
export function createManagementAuth(options: ManagementAuthOptions): (ctx: Koa.Context) => Promise<ManagementToken> {
  const jwks = createLocalJWKSet({ keys: options.keys.map(publicJwk) });
  return async (ctx) => {
    if (new URLSearchParams(ctx.querystring).has("access_token")) {
      throw new BearerError("invalid_request", "send the access token in the Authorization header only");
    }
    const header = ctx.get("authorization");
    if (!header) throw new BearerError("invalid_token", "an access token is required");
    const match = BEARER.exec(header);
    if (!match?.[1] || match[1].length > MAX_TOKEN_LENGTH)
      throw new BearerError("invalid_token", "the access token is malformed");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [SIGNING_ALG],
        typ: "at+jwt",
        clockTolerance: 5,
        requiredClaims: ["exp", "iat", "sub"],
      }));
    } catch {
      throw new BearerError("invalid_token", "the access token is invalid or expired");
    }
    const clientId = typeof payload.client_id === "string" ? payload.client_id : undefined;
    if (!clientId) throw new BearerError("invalid_token", "the access token names no client");
    if (clientId !== options.clientId || payload.sub !== options.clientId)
      throw new BearerError("invalid_token", "the access token is not the management client's");
    const scope = typeof payload.scope === "string" ? payload.scope : "";
    return { clientId, scopes: new Set(scope.split(" ").filter(Boolean)) };
  };
}

/** Throws 403 insufficient_scope unless the token holds every scope of one of `alternatives`. */
export function requireScopes(token: ManagementToken, ...alternatives: readonly (readonly string[])[]): void {
  if (alternatives.some((needed) => needed.every((scope) => token.scopes.has(scope)))) return;
  const named = alternatives.map((needed) => needed.join(" ")).join(" or ");
  throw new BearerError("insufficient_scope", `this call needs the scope ${named}`, alternatives[0]?.join(" "));
}
