/**
 * The start of a sign-in: the landing page's "Sign in" is a plain HTML form that posts here
 * (POST /auth/sign-in), answered by a 303 straight to the IdP's authorization endpoint: one hop,
 * with or without JavaScript (a server action answers a script's fetch, one round trip more).
 *
 * PKCE, state and nonce stay Auth.js's: `signIn(…, { redirect: false })` sets its check cookies and
 * hands back the URL. Posting to Auth.js's /api/auth/signin/<provider> instead would need its
 * double-submit CSRF cookie on every visit to the public page; this route has the same-origin
 * check of proxy.ts (lib/http/same-origin.ts) instead.
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
