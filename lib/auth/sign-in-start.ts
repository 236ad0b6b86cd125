/**
 * The start of a sign-in: the landing page's "Sign in" is a plain HTML form that posts here
 * (POST /auth/sign-in), and the answer is a 303 straight to the IdP's authorization endpoint.
 * The browser goes there in one hop, with or without JavaScript: a server action would answer
 * a script's fetch, which then navigates (one browser round trip more).
 *
 * PKCE, state and nonce are Auth.js's own: `signIn(…, { redirect: false })` runs the same
 * Auth.js sign-in the server action ran, sets the same check cookies, and hands back the URL
 * instead of throwing Next.js's redirect. Posting to Auth.js's /api/auth/signin/<provider>
 * instead would need its double-submit CSRF token in the page, i.e. a cookie set on every
 * visit to the public page; this route is covered by the same-origin check every state-changing
 * request passes in proxy.ts (lib/http/same-origin.ts), which refuses a cross-site post.
 */
import "server-only";
import { safeReturnPath } from "./return-path";

/** Where the form posts. */
export const SIGN_IN_PATH = "/auth/sign-in";

/** Auth.js's `signIn` as used here: returns the IdP URL to go to. */
export type StartSignIn = (returnTo: string) => Promise<string>;

/**
 * The answer to the sign-in form: 303 See Other to the IdP (the next request is a GET), or to
 * the sign-in error page when the sign-in cannot start (IdP unreachable, bad settings).
 */
export async function signInResponse(
  form: FormData,
  appUrl: string,
  start: StartSignIn,
  onError: (error: unknown) => void,
): Promise<Response> {
  let location: string;
  try {
    location = await start(safeReturnPath(form.get("returnTo")));
  } catch (error) {
    onError(error);
    location = new URL("/auth/error?error=Configuration", appUrl).toString();
  }
  return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
}
