/**
 * Sign-out ends both sessions. The app's session is gone on the server (its cookie no
 * longer opens anything), and the IdP's too: signing in again asks for the password.
 *
 * bob signs in in this test's own browser context, so the shared signed-in state of the other
 * specs stays as it was; the test ends signed in again, leaving bob's tokens usable.
 */
import { expect, signInThroughIdp, startSignIn, test } from "./fixtures";
import { APP_URL, bob, IDP_URL } from "./settings";

test("after sign-out, signing in again asks for the password", async ({ page, playwright }) => {
  await signInThroughIdp(page, bob);
  const sessionCookie = (await page.context().cookies(APP_URL)).find((c) => /authjs\.session-token$/.test(c.name));
  expect(sessionCookie, "the app's session cookie").toBeDefined();

  await page.getByRole("button", { name: "Sign out" }).click();
  // The IdP signs out at once when the app proves which session it means, or asks to confirm.
  await expect(async () => {
    const confirm = page.getByRole("button", { name: "Sign out" });
    if (new URL(page.url()).origin === IDP_URL && (await confirm.isVisible())) await confirm.click();
    expect(page.url()).toBe(`${APP_URL}/`);
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  await expect(page.getByRole("main").getByRole("button", { name: "Sign in" })).toBeVisible();

  // The old session cookie, replayed by anyone, opens nothing any more.
  const replay = await playwright.request.newContext({
    baseURL: APP_URL,
    extraHTTPHeaders: { cookie: `${sessionCookie!.name}=${sessionCookie!.value}` },
  });
  const session = await replay.get("/api/auth/session");
  expect(await session.json()).toBeNull();
  const dashboard = await replay.get("/dashboard");
  expect(dashboard.url()).toBe(`${APP_URL}/?signin=required&returnTo=%2Fdashboard`);
  await replay.dispose();

  const login = await startSignIn(page);
  await expect(login.password).toBeEmpty();
  await login.signIn(bob);
  await expect(page).toHaveURL(`${APP_URL}/dashboard`);
  await expect(page.getByTestId("signed-in-as")).toHaveText(bob.shownAs);
});
