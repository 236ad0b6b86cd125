/**
 * Session fixation: every sign-in ends with a session id nobody knew before it. Auth.js, with
 * database sessions, would keep the session a browser already has when the same user signs in
 * again; the app's sign-in callback (lib/auth/fresh-session.ts) replaces it and deletes the old
 * one, and a planted cookie is never adopted.
 */
import { expect, signInThroughIdp, test } from "./fixtures";
import { IdpLoginPage } from "./pages/idp-login";
import { APP_URL, bob } from "./settings";
import { findSessionCookie, sessionCookie, whoseSession } from "./support/session";

test("signing in again gives a new session id, and the old one opens nothing", async ({ page, playwright }) => {
  await signInThroughIdp(page, bob);
  const before = await sessionCookie(page.context());

  // Sign in once more while signed in (the error page offers it); the IdP still knows bob, so
  // the browser comes straight back, or through the login page when the IdP asks again.
  await page.goto("/auth/error?error=session_expired");
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(async () => {
    const url = new URL(page.url());
    if (url.origin !== APP_URL) {
      const login = new IdpLoginPage(page);
      if (await login.email.isVisible()) await login.signIn(bob);
    }
    expect(page.url()).toBe(`${APP_URL}/dashboard`);
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId("signed-in-as")).toHaveText(bob.shownAs);

  const after = await sessionCookie(page.context());
  expect(after.value, "a new session id").not.toBe(before.value);
  expect(await whoseSession(playwright, before), "the old id opens nothing").toBeNull();
  expect(await whoseSession(playwright, after)).toBe(bob.email);
});

test("a session cookie planted before sign-in is not adopted", async ({ page, playwright }) => {
  const planted = { name: "authjs.session-token", value: "00000000-0000-4000-8000-000000000000" };
  await page.context().addCookies([{ ...planted, url: APP_URL, httpOnly: true, sameSite: "Lax" }]);

  await signInThroughIdp(page, bob);

  const cookie = await findSessionCookie(page.context());
  expect(cookie?.value).toBeTruthy();
  expect(cookie?.value).not.toBe(planted.value);
  expect(await whoseSession(playwright, planted)).toBeNull();
});
