/**
 * Refuses state-changing requests that another site made a browser send (cross-site request
 * forgery), before they reach any route or server action.
 *
 * Next.js already compares a server action's `Origin` with `Host`, and the session cookie is
 * SameSite=Lax, so a cross-site POST carries no session. This is the app's own check in front of
 * both, against the configured origin (APP_URL) rather than a Host header a proxy may rewrite, for
 * every route, not only server actions.
 */

/** Methods that never change anything (RFC 9110 §9.2.1); everything else is checked. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Paths other sites legitimately POST to: the IdP answers a sign-in with `response_mode=form_post`
 * by posting to the callback, and its server posts back-channel logout tokens. Those requests
 * prove themselves with `state` and PKCE, or a signed logout token, not with their origin.
 */
const CROSS_SITE_POST_PATHS = [/^\/api\/auth\/callback\//, /^\/api\/auth\/backchannel-logout$/];

export interface RequestFacts {
  method: string;
  pathname: string;
  /** The `Origin` header, when sent. */
  origin: string | null;
  /** The `Sec-Fetch-Site` header, when sent (every current browser sends it). */
  secFetchSite: string | null;
}

/**
 * Why a request must be refused as cross-site, or null when it may pass. A request with neither
 * header passes: browsers send `Origin` on every POST, so its absence means a non-browser client,
 * which holds no victim's cookies.
 */
export function crossSiteRefusal(request: RequestFacts, appOrigin: string): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  if (CROSS_SITE_POST_PATHS.some((path) => path.test(request.pathname))) return null;
  if (request.origin !== null && request.origin !== new URL(appOrigin).origin) return "origin_mismatch";
  if (request.secFetchSite === "cross-site" || request.secFetchSite === "same-site") return "cross_site_fetch";
  return null;
}
