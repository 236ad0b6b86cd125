/**
 * Calls the app's own API the way any client would: over HTTP, with the signed-in user's
 * access token as a bearer token. The API then decides on nothing but that token.
 */
import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthError } from "./auth/errors";
import { getAccessToken } from "./auth/tokens";
import { env } from "./env";
import { getJson } from "./http/keep-alive";
import { REQUEST_ID_HEADER } from "./http/request-id";
import { timed } from "./http/server-timing";
import { loggerFor } from "./logger";
import type { SignedInUser } from "./session";

export interface ApiResult<T> {
  status: number;
  body: T;
}

/** What /api/me answers. */
export interface MeResponse {
  sub: string;
  client_id: string | null;
  scope: string | null;
  roles: string[];
  claims: Record<string, unknown>;
}

/** What /api/admin answers to an admin. */
export interface AdminResponse {
  users: { id: string; name: string | null; email: string | null; sessions: { expires: string }[] }[];
}

/** What the API answers when it refuses: RFC 6750. */
export interface ApiError {
  error: string;
  error_description?: string;
}

/**
 * GET an API path for this user. A token that cannot be had (the IdP refused the refresh or
 * is down) sends the user to the sign-in error page with the reason, never to a 500 page.
 */
export async function callApi<T>(user: SignedInUser, path: `/api/${string}`): Promise<ApiResult<T | ApiError>> {
  const incoming = await headers();
  let token: string;
  try {
    token = await timed("token_read", () => getAccessToken(user.id));
  } catch (error) {
    if (error instanceof AuthError) {
      const fields = { event: "access_token_unavailable", userId: user.id, code: error.code, reason: error.reason };
      loggerFor(incoming).warn(fields, "no usable access token");
      redirect(`/auth/error?error=${error.code}`);
    }
    throw error;
  }
  // The API call carries this request's id, so its log lines can be matched to the page's.
  const requestId = incoming.get(REQUEST_ID_HEADER);
  const response = await timed("api", () =>
    getJson(`${env.APP_URL}${path}`, {
      authorization: `Bearer ${token}`,
      accept: "application/json",
      ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
    }),
  );
  return { status: response.status, body: response.body as T | ApiError };
}
