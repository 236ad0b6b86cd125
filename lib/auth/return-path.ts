/**
 * Where to send the user after signing in or out: only a path on this app, never another origin
 * (`//evil.example`, `https://evil.example`, `/\evil.example`), or the sign-in becomes an
 * open redirect. The check runs again on the resolved path: dot segments can turn a harmless
 * looking path into a protocol-relative one (`/.//evil.example` resolves to `//evil.example`).
 */
const FALLBACK = "/dashboard";

export function safeReturnPath(value: unknown, fallback = FALLBACK): string {
  if (
    typeof value !== "string" ||
    !value.startsWith("/") ||
    // Stryker disable next-line MethodExpression: equivalent; the origin check below refuses "//host" too (a backstop each)
    value.startsWith("//") ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    /[\\\u0000-\u001f]/.test(value)
  ) {
    return fallback;
  }
  const base = "http://app.invalid";
  try {
    const url = new URL(value, base);
    if (
      url.pathname.startsWith("//") ||
      // Stryker disable next-line ConditionalExpression: equivalent; with "//", "\\" and control characters refused above, no other origin can come out of the parser (a backstop)
      url.origin !== base ||
      // Stryker disable next-line ConditionalExpression,MethodExpression: equivalent; the parser turns "\\" into "/" and it is refused above anyway (a backstop)
      url.pathname.startsWith("/\\")
    )
      return fallback;
    return `${url.pathname}${url.search}`;
    // Unreachable: a string starting with one "/" always parses against a valid base.
  } catch /* Stryker disable next-line BlockStatement: unreachable (above) */ {
    return fallback;
  }
}

/**
 * Auth.js's `redirect` callback: every `callbackUrl` (query, form field or cookie) and every
 * redirect after sign-in or sign-out passes through it. A path, or a URL on this app's own
 * origin, keeps its path and query; anything else lands on the start page.
 */
export function sameOriginRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  const origin = new URL(baseUrl).origin;
  let path: unknown = url;
  if (!url.startsWith("/")) {
    try {
      const parsed = new URL(url);
      path = parsed.origin === origin ? `${parsed.pathname}${parsed.search}` : null;
      // If left as `url`, which does not start with "/", safeReturnPath falls back all the same.
    } catch /* Stryker disable next-line BlockStatement: equivalent (above) */ {
      path = null;
    }
  }
  return `${origin}${safeReturnPath(path, "/")}`;
}
