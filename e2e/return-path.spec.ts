/**
 * Sign-in returns you where you were: a signed-out visitor of a signed-in page is sent to the
 * landing page's sign-in, and after the IdP's login lands on the page they asked for, not on
 * the dashboard. Only paths on the app come back (lib/auth/return-path.ts).
 *
 * Each test signs in in its own browser context and does not sign out, so the sessions that
 * auth.setup.ts saved stay as they were and the user keeps a live grant.
 */
import { expect, test } from "./fixtures";
import { IdpLoginPage } from "./pages/idp-login";
import { alice, APP_URL, bob } from "./settings";

test("a signed-out visitor of /admin signs in and lands on /admin", async ({ page }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(`${APP_URL}/?signin=required&returnTo=%2Fadmin`);
  await expect(page.getByRole("status")).toHaveText("Sign in to see that page.");

  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await new IdpLoginPage(page).signIn(alice);

  await expect(page).toHaveURL(`${APP_URL}/admin`);
  await expect(page.getByRole("heading", { name: "Admin", exact: true })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText(alice.shownAs);
});

test("the query of the page comes back too", async ({ page }) => {
  await page.goto("/tokens?view=all");
  await expect(page).toHaveURL(`${APP_URL}/?signin=required&returnTo=%2Ftokens%3Fview%3Dall`);

  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await new IdpLoginPage(page).signIn(bob);

  await expect(page).toHaveURL(`${APP_URL}/tokens?view=all`);
  await expect(page.getByRole("heading", { name: "Token inspector" })).toBeVisible();
});

test("a returnTo that leaves the app ends on the dashboard", async ({ page }) => {
  await page.goto(`/?${new URLSearchParams({ signin: "required", returnTo: "//evil.example/steal" })}`);

  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await new IdpLoginPage(page).signIn(bob);

  await expect(page).toHaveURL(`${APP_URL}/dashboard`);
});
