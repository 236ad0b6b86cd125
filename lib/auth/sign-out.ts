"use server";
/**
 * Sign-out, as a server action: a form posts it, so it carries Next.js's same-origin check for
 * actions (and proxy.ts's own, lib/http/same-origin.ts) and needs no client JavaScript. Sign-in
 * starts with a plain form post to a route instead (./sign-in-start.ts), answered by a redirect.
 */
import "server-only";
import { redirect } from "next/navigation";
import { env } from "../env";
import { requestLogger } from "../logger";
import { serverSession, signOut } from "./index";
import { providerMetadata } from "../issuer/discovery";
import { endTokens } from "../tokens/store";

/**
 * Ends this app session (its tokens, its refresh token revoked at the IdP), then its IdP session
 * (OpenID Connect RP-Initiated Logout): without the second step the next "Sign in" would pass
 * straight through the IdP's still-open session. The user's other browsers stay signed in.
 */
export async function signOutAction(): Promise<void> {
  const session = await serverSession();
  // This session's tokens only: the user's other browsers keep theirs.
  const idToken = session ? await endTokens(session.sessionId) : null;
  await signOut({ redirect: false });
  if (session) (await requestLogger()).info({ event: "sign_out", userId: session.user.id }, "signed out");
  let logoutUrl = "/";
  try {
    const { end_session_endpoint } = await providerMetadata();
    if (end_session_endpoint) {
      const url = new URL(end_session_endpoint);
      url.searchParams.set("client_id", env.AUTH_CLIENT_ID);
      url.searchParams.set("post_logout_redirect_uri", `${env.APP_URL}/`);
      if (idToken) url.searchParams.set("id_token_hint", idToken);
      logoutUrl = url.toString();
    }
  } catch {
    // The IdP is down: the app session is gone all the same; its own session ends with its cookie.
  }
  redirect(logoutUrl);
}
