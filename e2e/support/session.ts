/**
 * The app's session cookie, and what the app makes of a given cookie value when anyone (not
 * the browser it belongs to) sends it: the way to prove that a session was, or was not, ended.
 */
import type { APIRequest, BrowserContext, Cookie } from "@playwright/test";
import { APP_URL } from "../settings";

const SESSION_COOKIE = /authjs\.session-token$/;

/** The app's session cookie in `context`, or undefined when it has none. */
export async function findSessionCookie(context: BrowserContext): Promise<Cookie | undefined> {
  return (await context.cookies(APP_URL)).find((cookie) => SESSION_COOKIE.test(cookie.name));
}

/** The app's session cookie in `context`; throws when there is none. */
export async function sessionCookie(context: BrowserContext): Promise<Cookie> {
  const cookie = await findSessionCookie(context);
  if (!cookie) throw new Error("no app session cookie in this browser context");
  return cookie;
}

/** The email of the user the session cookie opens, or null when it opens nothing. */
export async function whoseSession(
  playwright: { request: APIRequest },
  cookie: Pick<Cookie, "name" | "value">,
): Promise<string | null> {
  const replay = await playwright.request.newContext({
    baseURL: APP_URL,
    extraHTTPHeaders: { cookie: `${cookie.name}=${cookie.value}` },
  });
  try {
    const session = (await (await replay.get("/api/auth/session")).json()) as { user?: { email?: string } } | null;
    return session?.user?.email ?? null;
  } finally {
    await replay.dispose();
  }
}
