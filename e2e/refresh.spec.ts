/**
 * Expiry. The run's access tokens live ACCESS_TOKEN_TTL_SECONDS; once alice's has
 * expired, the dashboard still shows her as an admin because the app's server refreshed it,
 * and the IdP's own records show exactly one refresh of her grant, even though several
 * requests found the token expired at the same moment.
 *
 * alice signs in afresh in this test's own context, so the grant (and its count) is this test's.
 */
import type { Page } from "@playwright/test";
import { expect, signInThroughIdp, test } from "./fixtures";
import { ACCESS_TOKEN_TTL_SECONDS, alice, APP_URL } from "./settings";
import { refreshHistory, storedTokens } from "./support/database";

/** The number of the access token's `exp` (the inspector writes the date-time and a relative time beside it). */
const accessTokenExp = (page: Page) =>
  page.getByTestId("access-token-claims").locator('[data-claim="exp"] dd').getByTestId("time-seconds");

test("the dashboard keeps working after the access token expires, with exactly one refresh", async ({
  page,
  context,
}) => {
  test.setTimeout((ACCESS_TOKEN_TTL_SECONDS + 60) * 1000);
  await signInThroughIdp(page, alice);

  await page.goto("/tokens");
  await expect(accessTokenExp(page)).toHaveText(/^\d+$/);
  const exp = Number(await accessTokenExp(page).innerText());
  expect(exp).toBeGreaterThan(Date.now() / 1000);
  const before = storedTokens(alice.email);
  const grant = refreshHistory(before.refreshToken!);
  expect(grant.consumed, "no refresh yet").toBe(0);

  // Let the access token expire. Nothing may call the app meanwhile: that would refresh early.
  await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 1_500));

  // Several requests find the expired token at once: two pages and three more fetches.
  const tokensPage = await context.newPage();
  const [, , ...fetches] = await Promise.all([
    page.goto("/dashboard"),
    tokensPage.goto("/tokens"),
    ...[1, 2, 3].map(() => context.request.get("/dashboard")),
  ]);

  // None of them was sent to sign in again (a lost race ends on /auth/error?error=session_expired).
  await expect(page).toHaveURL(`${APP_URL}/dashboard`);
  await expect(tokensPage).toHaveURL(`${APP_URL}/tokens`);
  for (const response of fetches) expect(response.url()).toBe(`${APP_URL}/dashboard`);
  await expect(page.getByTestId("role-badge")).toHaveText("admin");
  await expect(page.getByTestId("api-roles")).toContainText('"admin"');
  await expect(accessTokenExp(tokensPage)).toHaveText(/^\d+$/);
  expect(Number(await accessTokenExp(tokensPage).innerText())).toBeGreaterThan(exp);

  const after = storedTokens(alice.email);
  expect(after.refreshToken, "the refresh token was rotated").not.toBe(before.refreshToken);
  expect(after.accessToken).not.toBe(before.accessToken);
  const history = refreshHistory(after.refreshToken!);
  expect(history.grantId, "still the same grant").toBe(grant.grantId);
  expect(history.consumed, "the IdP saw exactly one refresh").toBe(1);
  expect(history.issued).toBe(2);
});
