/**
 * Who is signed in, for pages and server code. The check sits next to the data it guards
 * (Next.js data-security guidance): layouts redirect early, and every read checks again.
 */
import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { serverSession } from "./";
import { timed } from "../http/server-timing";
import { REQUEST_PATH_HEADER, signInRequiredPath } from "../http/request-path";

export interface SignedInUser {
  id: string;
  /** The app session this request belongs to: the key of its own tokens (lib/tokens/store.ts). */
  sessionId: string;
  name: string | null;
  email: string | null;
}

/**
 * The session's user, looked up once per request: the root layout, the group's layout and the
 * page all ask, and React's `cache()` hands them the same answer (one database read, not three).
 */
export const currentUser = cache(async (): Promise<SignedInUser | null> => {
  const session = await timed("session", () => serverSession());
  return session ? { ...session.user, sessionId: session.sessionId } : null;
});

/**
 * The signed-in user, or a redirect to the landing page's sign-in, which brings the visitor
 * back to the page they asked for.
 */
export async function requireUser(): Promise<SignedInUser> {
  const user = await currentUser();
  if (!user) redirect(signInRequiredPath((await headers()).get(REQUEST_PATH_HEADER)));
  return user;
}
