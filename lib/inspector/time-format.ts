/**
 * How the token inspector writes a time claim (seconds since the epoch) for a person: the date
 * and time in UTC, and how long ago or from now. Pure functions, for the server's first render
 * and the browser's ticking one alike.
 */

/** Claims whose value is a NumericDate (RFC 7519 §2; OpenID Connect's `auth_time`, `updated_at`). */
export const TIME_CLAIMS: ReadonlySet<string> = new Set(["exp", "nbf", "iat", "auth_time", "updated_at"]);

/** `2026-12-03 08:48:20 UTC`; the same text on every machine. */
export function utcDateTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return "not a date";
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** `in 4 min 12 s`, `3 h 5 min ago`, `now`: from `nowMs` to `seconds`, to the second under an hour. */
export function relativeTime(seconds: number, nowMs: number): string {
  const delta = Math.round(seconds - nowMs / 1000);
  const s = Math.abs(delta);
  if (s === 0) return "now";
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
  const text =
    s < 60
      ? `${s} s`
      : s < 3600
        ? pair(Math.floor(s / 60), "min", s % 60, "s")
        : s < 86_400
          ? pair(Math.floor(s / 3600), "h", Math.floor((s % 3600) / 60), "min")
          : pair(Math.floor(s / 86_400), s < 172_800 ? "day" : "days", Math.floor((s % 86_400) / 3600), "h");
  return delta > 0 ? `in ${text}` : `${text} ago`;
}
