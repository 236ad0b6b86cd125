/**
 * Every sign-in belongs to its browser: two browsers of one user hold two token sets, and what one
 * of them does (sign out, refresh) leaves the other as it was. The re-authentication of a role
 * change per session is in roles.spec.ts.
 */
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect, signInThroughIdp, test } from "./fixtures";
import { ACCESS_TOKEN_TTL_SECONDS, APP_URL, bob, IDP_URL, REFRESH_SKEW_SECONDS } from "./settings";
import { storedTokens } from "./support/database";
import { sessionCookie, whoseSession } from "./support/session";

async function signedInBrowser(browser: Browser): Promise<{ context: BrowserContext; page: Page; cookie: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughIdp(page, bob);
  return { context, page, cookie: (await sessionCookie(context)).value };
}

test("bob signs out in one browser; his other browser stays signed in, before and after its token is refreshed", async ({
  browser,
  playwright,
}) => {
  test.setTimeout((ACCESS_TOKEN_TTL_SECONDS + 60) * 1000);
  const c = await signedInBrowser(browser);
  const d = await signedInBrowser(browser);
  const cBefore = storedTokens({ sessionCookie: c.cookie });
  const dBefore = storedTokens({ sessionCookie: d.cookie });
  expect(cBefore.accessToken, "each sign-in has its own access token").not.toBe(dBefore.accessToken);
  expect(cBefore.refreshToken, "and its own refresh token").not.toBe(dBefore.refreshToken);

  await d.page.getByRole("button", { name: "Sign out" }).click();
  await expect(async () => {
    const confirm = d.page.getByRole("button", { name: "Sign out" });
    if (new URL(d.page.url()).origin === IDP_URL && (await confirm.isVisible())) await confirm.click();
    expect(d.page.url()).toBe(`${APP_URL}/`);
  }).toPass({ timeout: 15_000 });

  // D's session is gone; C's is untouched, tokens and all.
  const name = (await sessionCookie(c.context)).name;
  expect(await whoseSession(playwright, { name, value: d.cookie })).toBeNull();
  expect(await whoseSession(playwright, { name, value: c.cookie })).toBe(bob.email);
  expect(storedTokens({ sessionCookie: c.cookie })).toEqual(cBefore);
  await c.page.goto("/dashboard");
  await expect(c.page.getByTestId("role-badge")).toHaveText("not an admin");

  // Past C's refresh point: its next page refreshes C's own grant, which D's sign-out left alive.
  const refreshAt = (cBefore.expiresAt! - REFRESH_SKEW_SECONDS) * 1000 + 1_000;
  await c.page.waitForTimeout(Math.max(0, refreshAt - Date.now()));
  await c.page.goto("/dashboard");
  await expect(c.page).toHaveURL(`${APP_URL}/dashboard`);
  await expect(c.page.getByTestId("role-badge")).toHaveText("not an admin");
  const cAfter = storedTokens({ sessionCookie: c.cookie });
  expect(cAfter.accessToken, "C's access token was refreshed").not.toBe(cBefore.accessToken);
  expect(cAfter.refreshToken, "with its own refresh token, rotated").not.toBe(cBefore.refreshToken);
  expect(await whoseSession(playwright, { name, value: c.cookie })).toBe(bob.email);

  await c.context.close();
  await d.context.close();
});
