/**
 * Runs before every request (Next.js 16 "proxy", formerly middleware; Node.js runtime):
 *
 * - gives the request an id (`x-request-id`, kept from the caller when well-formed) on the
 *   request, for server code's log lines, and on the response;
 * - tells server code the request's path (`x-request-path`), for a sign-in to return to;
 * - refuses state-changing requests another site sent (lib/http/same-origin.ts);
 * - names the instance that answered (`x-claimtrip-instance`, from INSTANCE_ID), behind a load balancer;
 * - sets the security headers (lib/http/security-headers.ts), with a fresh CSP nonce that it
 *   also puts in the request's CSP header, where Next.js reads it to sign its own scripts.
 *
 * It decides nothing about who may see what: that check sits next to the data (lib/auth/session.ts,
 * lib/api/guard.ts), as Next.js's data-security guidance asks.
 */
import { NextResponse, type NextRequest } from "next/server";
import type { ApiError } from "./lib/api/types";
import { env } from "./lib/env";
import { jsonNoStore } from "./lib/http/json";
import { INSTANCE_HEADER } from "./lib/http/instance";
import { REQUEST_ID_HEADER, requestIdFrom } from "./lib/http/request-id";
import { REQUEST_PATH_HEADER, requestPath } from "./lib/http/request-path";
import { crossSiteRefusal } from "./lib/http/same-origin";
import { createNonce, securityHeaders } from "./lib/http/security-headers";
import { logger } from "./lib/logger";

export function proxy(request: NextRequest): Response {
  const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
  const headers = securityHeaders({
    nonce: createNonce(),
    appUrl: env.APP_URL,
    issuer: env.AUTH_ISSUER,
    development: env.NODE_ENV === "development",
  });
  const { method } = request;
  const { pathname } = request.nextUrl;
  const log = logger.child({ reqId: requestId });

  const refusal = crossSiteRefusal(
    { method, pathname, origin: request.headers.get("origin"), secFetchSite: request.headers.get("sec-fetch-site") },
    env.APP_URL,
  );
  let response: Response;
  if (refusal) {
    log.warn({ event: "csrf_refused", method, path: pathname, code: refusal }, "cross-site request refused");
    response = jsonNoStore(
      { error: "forbidden", error_description: "Cross-site requests cannot change anything here" } satisfies ApiError,
      { status: 403 },
    );
  } else {
    // The query is never logged: the sign-in callback carries the authorization code in it.
    log.debug({ event: "request", method, path: pathname }, "request");
    const forwarded = new Headers(request.headers);
    forwarded.set(REQUEST_ID_HEADER, requestId);
    // Where the request was going, for a sign-in to return to (lib/http/request-path.ts).
    forwarded.set(REQUEST_PATH_HEADER, requestPath(request.nextUrl));
    forwarded.set("content-security-policy", headers["Content-Security-Policy"]);
    response = NextResponse.next({ request: { headers: forwarded } });
  }
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  if (env.INSTANCE_ID) response.headers.set(INSTANCE_HEADER, env.INSTANCE_ID);
  return response;
}

// No matcher: every response gets the headers and an id, static files and API routes included
// (a CSP on JSON or on a script file is harmless, and nosniff matters most there).
