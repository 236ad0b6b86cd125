import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth";

/**
 * Auth.js handles everything, except one thing it drops: when the IdP refuses a login it
 * reports why (`error`, `error_description`, RFC 6749 §4.1.2.1), and Auth.js would only show
 * a generic error. Send the user to the error page with the IdP's reason instead.
 */
export async function GET(request: NextRequest) {
  const { pathname, searchParams } = request.nextUrl;
  const error = searchParams.get("error");
  if (pathname.startsWith("/api/auth/callback/") && error) {
    const target = new URL("/auth/error", request.nextUrl);
    target.searchParams.set("error", error === "access_denied" ? "access_denied" : "OAuthCallbackError");
    const reason = searchParams.get("error_description");
    if (reason) target.searchParams.set("reason", reason.slice(0, 200));
    return Response.redirect(target, 303);
  }
  return handlers.GET(request);
}

export const { POST } = handlers;
