/**
 * The app's own HTTP calls to the IdP, outside Auth.js: refreshing an access token at the token
 * endpoint and revoking a refresh token (RFC 7009), both as the confidential client
 * (client_secret_basic). Endpoints come from the IdP's discovery document (./discovery.ts).
 * Failures become the errors of ./errors.ts: IdpUnavailableError when the IdP did not answer
 * properly, SessionExpiredError when it refused the grant.
 */
import "server-only";
import { env } from "../env";
import { providerMetadata } from "./discovery";
import { IdpUnavailableError, SessionExpiredError } from "./errors";
import { oauthErrorCode } from "./log-events";

/** A token endpoint's successful answer (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  token_type?: string;
}

function clientAuthorization(): string {
  // RFC 6749 §2.3.1: form-urlencode id and secret before joining them.
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(env.AUTH_CLIENT_ID)}:${encode(env.AUTH_CLIENT_SECRET)}`).toString("base64")}`;
}

/** Spends `refreshToken` at the token endpoint for a new access token (and, with rotation, a new refresh token). */
export async function requestRefresh(refreshToken: string): Promise<TokenResponse> {
  const { token_endpoint } = await providerMetadata();
  let response: Response;
  try {
    response = await fetch(token_endpoint, {
      method: "POST",
      headers: {
        authorization: clientAuthorization(),
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
      signal: AbortSignal.timeout(10_000),
      cache: "no-store",
    });
  } catch (cause) {
    throw new IdpUnavailableError(env.AUTH_ISSUER, { cause, reason: "unreachable" });
  }
  const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & { error?: string };
  if (response.ok && typeof body.access_token === "string") return body as TokenResponse;
  if (response.status >= 500) throw new IdpUnavailableError(env.AUTH_ISSUER, { reason: `http_${response.status}` });
  const reason = body.error ? oauthErrorCode(body.error) : `http_${response.status}`;
  throw new SessionExpiredError(`the IdP refused the refresh (${reason})`, { reason });
}

/** Revokes a refresh token at the IdP (RFC 7009); does nothing when the IdP has no revocation endpoint. */
export async function revoke(refreshToken: string): Promise<void> {
  const { revocation_endpoint } = await providerMetadata();
  if (!revocation_endpoint) return;
  await fetch(revocation_endpoint, {
    method: "POST",
    headers: { authorization: clientAuthorization(), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token" }),
    signal: AbortSignal.timeout(5_000),
  });
}
