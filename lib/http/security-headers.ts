/**
 * The security headers of every response, in one place (proxy.ts sets them; next.config.mjs sets
 * none). The Content-Security-Policy is strict: scripts run only with this response's nonce
 * (Next.js puts it on its own scripts when it finds it in the request's CSP header) or when such a
 * script loads them ('strict-dynamic'); no inline script, no other origin, no plugin, no framing.
 */

export interface SecurityHeaderOptions {
  /** This response's CSP nonce: fresh, unguessable, base64. */
  nonce: string;
  /** The app's own origin (APP_URL). HTTPS turns on HSTS and upgrade-insecure-requests. */
  appUrl: string;
  /**
   * The IdP's issuer URL (AUTH_ISSUER). Its origin joins `form-action`: the sign-in and sign-out
   * forms post to this app, which answers with a redirect to the IdP, and Chromium checks
   * `form-action` on every redirect of a form submission.
   */
  issuer: string;
  /**
   * `next dev`: React needs `eval` to rebuild server error stacks, and the dev overlay injects
   * inline styles. Never in production. Default: false
   */
  development?: boolean;
}

/** Two years, as the HSTS preload list asks; subdomains included. */
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

/** 16 random bytes, base64: a CSP nonce. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

const isHttps = (url: string) => new URL(url).protocol === "https:";

/** The Content-Security-Policy value for one response. */
export function contentSecurityPolicy({ nonce, appUrl, issuer, development = false }: SecurityHeaderOptions): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    // In production the stylesheet is a file ('self') and Next.js puts the nonce on any <style> it
    // writes. A nonce would switch 'unsafe-inline' off, so development lists only the latter.
    ["style-src", "'self'", ...(development ? ["'unsafe-inline'"] : [`'nonce-${nonce}'`])],
    ["img-src", "'self'", "data:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["frame-ancestors", "'none'"],
    ["form-action", "'self'", new URL(issuer).origin],
  ];
  if (!development && isHttps(appUrl)) directives.push(["upgrade-insecure-requests"]);
  return directives.map((directive) => directive.join(" ")).join("; ");
}

/** Every security header of a response, by name. */
export function securityHeaders(
  options: SecurityHeaderOptions,
): Record<string, string> & { "Content-Security-Policy": string } {
  const headers: Record<string, string> & { "Content-Security-Policy": string } = {
    "Content-Security-Policy": contentSecurityPolicy(options),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    // frame-ancestors 'none' says the same to browsers that read CSP; this is for those that do not.
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
  // Only over HTTPS: a browser ignores HSTS on http, and on localhost it would pin every other
  // app on that host name to HTTPS.
  if (isHttps(options.appUrl)) headers["Strict-Transport-Security"] = HSTS_VALUE;
  return headers;
}
