/**
 * Session fixation: every sign-in ends with a session id nobody knew before it.
 *
 * With database sessions, Auth.js keeps the session the browser already has when the same user
 * signs in again (@auth/core's handle-login returns it unchanged), so an id someone planted or
 * read before the sign-in would stay valid after it. The sign-in callback is therefore handed the
 * request without its session cookie, so Auth.js always creates a new session; once the callback
 * has set that new cookie, the session the browser came with is deleted. A callback that fails
 * (bad state, refused code) changes nothing: the old session, if any, stays as it was.
 */
import "server-only";
import { NextRequest } from "next/server";
import { db } from "../db";
import { env } from "../env";
import { sessionCookieName } from "./cookies";

type Handler = (request: NextRequest) => Promise<Response>;

const cookieName = (pair: string) => (pair.includes("=") ? pair.slice(0, pair.indexOf("=")) : pair).trim();

/** The `Cookie` header without the cookie called `name`; null when nothing else is left. */
export function withoutCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  const kept = header
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair && cookieName(pair) !== name);
  return kept.length ? kept.join("; ") : null;
}

/** Whether the response sets a non-empty cookie called `name`. */
export function setsCookie(response: Response, name: string): boolean {
  return response.headers.getSetCookie().some((line) => line.startsWith(`${name}=`) && !line.startsWith(`${name}=;`));
}

/**
 * A copy of `request` with other headers, built from its parts rather than from the request
 * itself. Next.js hands route handlers a Proxy around its NextRequest (to track dynamic use); the
 * undici in Node 22+ keeps a Request's state in private fields, which a Proxy cannot forward, so
 * `new NextRequest(proxy, init)` throws "Cannot read private member #state" there (Node 20's
 * undici used symbol keys and let it pass).
 */
function copyWithHeaders(request: NextRequest, headers: Headers): NextRequest {
  // `duplex` is required by undici for a streamed body and missing from the DOM typings.
  const init: NonNullable<ConstructorParameters<typeof NextRequest>[1]> & { duplex?: "half" } = {
    method: request.method,
    headers,
    signal: request.signal,
  };
  if (request.method !== "GET" && request.method !== "HEAD" && request.body !== null) {
    init.body = request.body;
    init.duplex = "half";
  }
  return new NextRequest(request.url, init);
}

/**
 * Runs an Auth.js callback request as a sign-in from scratch: see the module comment. Returns
 * the handler's response and whether an old session was ended.
 */
export async function signInWithFreshSession(
  request: NextRequest,
  handler: Handler,
): Promise<{ response: Response; rotated: boolean }> {
  const name = sessionCookieName(env.APP_URL);
  const previous = request.cookies.get(name)?.value;
  if (!previous) return { response: await handler(request), rotated: false };

  const headers = new Headers(request.headers);
  const cookie = withoutCookie(headers.get("cookie"), name);
  if (cookie) headers.set("cookie", cookie);
  else headers.delete("cookie");
  const response = await handler(copyWithHeaders(request, headers));

  if (!setsCookie(response, name)) return { response, rotated: false };
  await db.session.deleteMany({ where: { sessionToken: previous } });
  return { response, rotated: true };
}
