/**
 * Signs each demo user in once through the real IdP login page and saves the browser state
 * (the app's session cookie and the IdP's), so specs start signed in without repeating it.
 */
import { test as setup } from "@playwright/test";
import { signInThroughIdp } from "./fixtures";
import { alice, bob } from "./settings";

for (const user of [alice, bob]) {
  setup(`${user.email} signs in through the IdP`, async ({ page }) => {
    await signInThroughIdp(page, user);
    await page.context().storageState({ path: user.storageState });
  });
}
