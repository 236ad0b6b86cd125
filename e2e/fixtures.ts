/**
 * What specs build on: `adminPage` (alice, signed in) and `userPage` (bob, signed in), each in
 * its own browser context from the state auth.setup.ts saved, and the one way to sign in
 * through the real IdP page when a spec needs a sign-in of its own.
 */
import { test as base, expect, type Browser, type Page } from "@playwright/test";
import { IdpLoginPage } from "./pages/idp-login";
import { alice, APP_URL, bob, type DemoUser } from "./settings";

/** Clicks the landing page's `Sign in` and lands on the IdP's login page. */
export async function startSignIn(page: Page): Promise<IdpLoginPage> {
  await page.goto("/");
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  const login = new IdpLoginPage(page);
  await login.expectShown();
  return login;
}

/** The whole round trip: app → IdP login page → back on the app's dashboard, signed in. */
export async function signInThroughIdp(page: Page, user: DemoUser): Promise<void> {
  const login = await startSignIn(page);
  await login.signIn(user);
  await expect(page).toHaveURL(`${APP_URL}/dashboard`);
  await expect(page.getByTestId("signed-in-as")).toHaveText(user.shownAs);
}

interface Pages {
  /** alice (admin), signed in once by auth.setup.ts. */
  adminPage: Page;
  /** bob (no role), signed in once by auth.setup.ts. */
  userPage: Page;
}

function signedInPage(user: DemoUser) {
  return async ({ browser }: { browser: Browser }, use: (page: Page) => Promise<void>) => {
    const context = await browser.newContext({ storageState: user.storageState });
    await use(await context.newPage());
    await context.close();
  };
}

export const test = base.extend<Pages>({
  adminPage: signedInPage(alice),
  userPage: signedInPage(bob),
});

export { expect };
