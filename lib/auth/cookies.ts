/**
 * The session cookie, set from APP_URL rather than guessed per request: behind a proxy that
 * ends TLS the app itself sees http, yet the browser is on https and the cookie must be Secure.
 *
 * Always HttpOnly (no script reads it) and SameSite=Lax (a cross-site POST does not carry it).
 * Over https it is Secure and named with the `__Host-` prefix, which the browser accepts only
 * with Secure, Path=/ and no Domain: no sibling subdomain can set or shadow it.
 * Auth.js's other cookies (CSRF token, PKCE verifier, state, nonce, callback URL) follow
 * `useSecureCookies` with their own `__Host-`/`__Secure-` prefixes.
 */
import type { NextAuthConfig } from "next-auth";

/** The session cookie's name without a prefix (Auth.js's own). */
const SESSION_COOKIE = "authjs.session-token";

/** The Auth.js cookie settings for an app served at `appUrl`. */
export function cookieSettings(appUrl: string) {
  const secure = new URL(appUrl).protocol === "https:";
  return {
    useSecureCookies: secure,
    cookies: {
      sessionToken: {
        name: secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE,
        options: { httpOnly: true, sameSite: "lax", path: "/", secure },
      },
    },
  } satisfies Pick<NextAuthConfig, "useSecureCookies" | "cookies">;
}

/** The session cookie's name for an app served at `appUrl`. */
export function sessionCookieName(appUrl: string): string {
  return cookieSettings(appUrl).cookies.sessionToken.name;
}
