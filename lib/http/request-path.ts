/**
 * Where a request was going, so that a sign-in can bring the user back there.
 *
 * Server components cannot read the URL they render for; proxy.ts therefore puts the path and
 * query of every request in a request header (always its own value: one a client sent is
 * replaced), and lib/auth/session.ts's requireUser reads it when it sends a signed-out visitor to
 * sign in. The path then travels as `returnTo` and passes lib/auth/return-path.ts's same-origin
 * checks twice: here, and again in the sign-in action.
 */
import { safeReturnPath } from "../auth/return-path";

/** The request header proxy.ts sets to the request's path and query. */
export const REQUEST_PATH_HEADER = "x-request-path";

/** Next.js's own query parameter for React Server Component requests: not part of where the user was. */
const RSC_PARAM = "_rsc";

/** The path and query of `url`, as a return path. */
export function requestPath(url: URL): string {
  const search = new URLSearchParams(url.search);
  search.delete(RSC_PARAM);
  const query = search.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

/** The landing page's "sign in to see that page", carrying `path` when it is a path on this app. */
export function signInRequiredPath(path: string | null | undefined): string {
  const params = new URLSearchParams({ signin: "required" });
  const returnTo = safeReturnPath(path, "");
  if (returnTo && returnTo !== "/") params.set("returnTo", returnTo);
  return `/?${params}`;
}
