/**
 * The sign-in error page speaks only in its own words. Its URL (and the callback that leads to
 * it) can be written by anyone, so a link could otherwise make the app say, under its own
 * name, whatever an attacker wants ("the identity provider said: call this number").
 */
import { expect, test } from "./fixtures";
import { APP_URL } from "./settings";

const LURE = "Your account is locked. Call +1 555 0100";

test("the error page shows a fixed message, never text from its URL", async ({ page }) => {
  await page.goto(`/auth/error?error=OAuthCallbackError&reason=${encodeURIComponent(LURE)}`);

  await expect(page.getByTestId("auth-error").getByRole("alert")).toHaveText(
    "The identity provider answered the sign-in with an error.",
  );
  await expect(page.getByTestId("auth-error")).not.toContainText("Call +1");
});

test("a forged IdP refusal at the callback ends on the fixed message", async ({ page }) => {
  const callback = new URLSearchParams({ error: "access_denied", error_description: LURE, state: "forged" });
  await page.goto(`/api/auth/callback/claimtrip?${callback}`);

  await expect(page).toHaveURL(`${APP_URL}/auth/error?error=access_denied`);
  await expect(page.getByTestId("auth-error").getByRole("alert")).toHaveText(
    "The identity provider did not let this sign-in through.",
  );
  await expect(page.getByTestId("auth-error")).not.toContainText("Call +1");
});
