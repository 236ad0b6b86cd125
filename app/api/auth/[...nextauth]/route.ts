import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth";
import { signInWithFreshSession } from "@/lib/auth/fresh-session";
import { withServerTiming } from "@/lib/http/server-timing";
import { oauthErrorCode } from "@/lib/auth/log-events";
import { withSignIn } from "@/lib/auth/new-session";
import { loggerFor } from "@/lib/logger";

const isCallback = (request: NextRequest) => request.nextUrl.pathname.startsWith("/api/auth/callback/");

/**
 * Auth.js handles everything, with three additions on the sign-in callback:
 * - when the IdP refuses a login (`error`, RFC 6749 §4.1.2.1) Auth.js would show a generic
 *   error: send the user to the error page with a fixed code. Anyone can open this URL with
 *   any `error_description`, so that text never reaches the page (the page would be speaking
 *   for the IdP); it goes to the log, bounded and scrubbed, for whoever investigates;
 * - every sign-in ends with a new session id (session fixation, lib/auth/fresh-session.ts), and
 *   that session gets the IdP session's `sid` and the sign-in's tokens (lib/auth/new-session.ts);
 * - its answer carries a `Server-Timing` header (discovery, IdP token call, total), also logged.
 */
export async function GET(request: NextRequest) {
  if (!isCallback(request)) return handlers.GET(request);
  const { searchParams } = request.nextUrl;
  const error = searchParams.get("error");
  if (error) {
    const code = error === "access_denied" ? "access_denied" : "OAuthCallbackError";
    const idpErrorDescription = searchParams.get("error_description")?.slice(0, 200);
    loggerFor(request.headers).warn(
      { event: "sign_in_failed", code, idpError: oauthErrorCode(error), idpErrorDescription },
      "the IdP refused the sign-in",
    );
    const target = new URL("/auth/error", request.nextUrl);
    target.searchParams.set("error", code);
    return Response.redirect(target, 303);
  }
  return callback(request, handlers.GET);
}

export async function POST(request: NextRequest) {
  return isCallback(request) ? callback(request, handlers.POST) : handlers.POST(request);
}

async function callback(request: NextRequest, handler: (request: NextRequest) => Promise<Response>) {
  let rotated = false;
  const { response, timings } = await withServerTiming(async () => {
    const result = await withSignIn(() => signInWithFreshSession(request, handler));
    rotated = result.rotated;
    return result.response;
  }, "authjs");
  const log = loggerFor(request.headers);
  if (rotated) log.info({ event: "session_rotated" }, "the sign-in replaced the browser's session");
  log.info({ event: "server_timing", path: "/api/auth/callback", timings: timings.toJSON("authjs") }, "server timing");
  return response;
}
