/**
 * The app's own HTTP calls to the IdP, outside Auth.js: refreshing an access token at the token
 * endpoint and revoking a refresh token (RFC 7009), both as the confidential client
 * (client_secret_basic). Endpoints come from the IdP's discovery document (../issuer/discovery.ts).
 * Failures become the errors of ./errors.ts: IdpUnavailableError when the IdP did not answer
 * properly, SessionExpiredError when it refused the grant.
 */
import "server-only";
import { dpopKeyForIdp } from "../dpop/key";
import { withDpopAtTokenEndpoint } from "../dpop/requests";
import { env } from "../env";
import { clientSecretBasic } from "../http/client-secret-basic";
import { providerMetadata } from "../issuer/discovery";
import { IdpUnavailableError, SessionExpiredError } from "./errors";
import { oauthErrorCode } from "../auth/log-events";

/** A token endpoint's successful answer (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  token_type?: string;
}

/** The reason of a refresh that timed out: the IdP may or may not have rotated the token. */
export const OUTCOME_UNKNOWN = "refresh_outcome_unknown";

/**
 * Spends `refreshToken` at the token endpoint for a new access token (and, with rotation, a new
 * refresh token). Only `invalid_grant` means the grant is gone (SessionExpiredError); anything
 * else is the IdP's or the network's problem and keeps the refresh token (IdpUnavailableError):
 * a 429, a 401 `invalid_client` while the client secret rotates, a 5xx, a timeout, or an answer
 * that is not a JSON token response.
 *
 * A refresh that timed out has an unknown outcome: the IdP may have rotated the token and its
 * answer been lost. It is not resent within this request, nor by anyone before its lease lapses
 * (the IdP may still be at work on it); then the next request sends the same refresh token once
 * more. If the IdP had rotated it, the local IdP knows its answer was never delivered and has
 * taken the rotation back (idp/refresh-rollback.ts); an IdP that does not treats the resend as
 * reuse and ends the grant, and the user signs in again (README, "Scale out").
 *
 * When the IdP does DPoP, the request carries a proof (and is sent once more if the IdP asks
 * for its nonce: it checks the proof before it looks at the refresh token, which stays unspent).
 */
export async function requestRefresh(
  tokenEndpoint: string,
  refreshToken: string,
  timeoutMs: number,
): Promise<TokenResponse> {
  let response: Response;
  let text: string;
  try {
    const tokenFetch = withDpopAtTokenEndpoint(fetch, async () => tokenEndpoint, dpopKeyForIdp);
    response = await tokenFetch(tokenEndpoint, {
      method: "POST",
      headers: {
        authorization: clientSecretBasic(env.AUTH_CLIENT_ID, env.AUTH_CLIENT_SECRET),
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
      signal: AbortSignal.timeout(timeoutMs),
      cache: "no-store",
    });
    text = await response.text();
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === "TimeoutError";
    throw new IdpUnavailableError(env.AUTH_ISSUER, { cause, reason: timedOut ? OUTCOME_UNKNOWN : "unreachable" });
  }
  let body: (Partial<TokenResponse> & { error?: unknown }) | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as typeof body;
  } catch {
    body = undefined;
  }
  if (response.ok) {
    if (body && typeof body.access_token === "string" && body.access_token) return body as TokenResponse;
    throw new IdpUnavailableError(env.AUTH_ISSUER, { reason: "unreadable_answer" });
  }
  // RFC 6749 says 400; Auth0 answers a dead refresh token with 403. Either way: the grant is gone.
  if (response.status >= 400 && response.status < 500 && body?.error === "invalid_grant") {
    throw new SessionExpiredError("the IdP refused the refresh (invalid_grant)", { reason: "invalid_grant" });
  }
  const reason = body?.error ? oauthErrorCode(body.error) : `http_${response.status}`;
  throw new IdpUnavailableError(env.AUTH_ISSUER, { reason });
}

/** Revokes a refresh token at the IdP (RFC 7009); does nothing when the IdP has no revocation endpoint. */
export async function revoke(refreshToken: string): Promise<void> {
  const { revocation_endpoint } = await providerMetadata();
  if (!revocation_endpoint) return;
  await fetch(revocation_endpoint, {
    method: "POST",
    headers: {
      authorization: clientSecretBasic(env.AUTH_CLIENT_ID, env.AUTH_CLIENT_SECRET),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token" }),
    signal: AbortSignal.timeout(5_000),
  });
}
