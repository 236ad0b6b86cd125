/**
 * Where to send the user after signing in: only a path on this app, never another origin
 * (`//evil.example`, `https://evil.example`, `/\evil.example`), or the sign-in becomes an
 * open redirect.
 */
const FALLBACK = "/dashboard";

export function safeReturnPath(value: unknown, fallback = FALLBACK): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || /[\\\u0000-\u001f]/.test(value)) {
    return fallback;
  }
  const base = "http://app.invalid";
  try {
    const url = new URL(value, base);
    return url.origin === base ? `${url.pathname}${url.search}` : fallback;
  } catch {
    return fallback;
  }
}
