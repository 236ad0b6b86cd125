/**
 * Calls the app's own API the way any client would: over HTTP, with the signed-in user's
 * access token: DPoP-bound with a fresh proof when the IdP bound it to the app's key
 * (lib/dpop/), a bearer token otherwise. The API then decides on nothing but that token.
 */
import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ApiError, ApiRoutes } from "./types";
import { TokenUnavailableError } from "../tokens/errors";
import { getApiAccessToken, type ApiAccessToken } from "../tokens/store";
import { getJsonWithDpop } from "../dpop/api-call";
import { boundToAppKey } from "../dpop/key";
import { env } from "../env";
import { getJson } from "../http/keep-alive";
import { REQUEST_ID_HEADER } from "../http/request-id";
import { timed } from "../http/server-timing";
import { loggerFor } from "../logger";
import type { SignedInUser } from "../auth/session";

/** What a call to the API came to: its answer, or its refusal (RFC 6750) with the status. */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; error: ApiError };

/**
 * GET an API path for this user. A token that cannot be had (the IdP refused the refresh or
 * is down) sends the user to the sign-in error page with the reason, never to a 500 page.
 */
export async function callApi<P extends keyof ApiRoutes>(
  user: SignedInUser,
  path: P,
): Promise<ApiResult<ApiRoutes[P]>> {
  const incoming = await headers();
  let token: ApiAccessToken;
  try {
    token = await timed("token_read", () => getApiAccessToken(user.sessionId));
    // Bound to a key the app no longer holds (AUTH_DPOP_PRIVATE_KEY rotated): refresh, and bind to the new one.
    if (token.dpop && !(await boundToAppKey(token.value)))
      token = await getApiAccessToken(user.sessionId, { current: true });
  } catch (error) {
    if (error instanceof TokenUnavailableError) {
      const fields = { event: "access_token_unavailable", userId: user.id, code: error.code, reason: error.reason };
      loggerFor(incoming).warn(fields, "no usable access token");
      redirect(`/auth/error?error=${error.code}`);
    }
    throw error;
  }
  // The API call carries this request's id, so its log lines can be matched to the page's.
  const requestId = incoming.get(REQUEST_ID_HEADER);
  const url = `${env.APP_URL}${path}`;
  const sent = { accept: "application/json", ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}) };
  const response = await timed("api", () =>
    token.dpop
      ? getJsonWithDpop(url, token.value, sent)
      : getJson(url, { ...sent, authorization: `Bearer ${token.value}` }),
  );
  const { body } = response;
  // The app trusts its own API's 200s to match lib/api/types.ts (the routes `satisfies` it).
  if (response.status >= 200 && response.status < 300) return { ok: true, data: body as ApiRoutes[P] };
  return { ok: false, status: response.status, error: isApiError(body) ? body : { error: `http_${response.status}` } };
}

function isApiError(body: unknown): body is ApiError {
  return typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string";
}
