/**
 * Back-Channel Logout: a session ended at the IdP ends the matching app sessions within seconds,
 * long before the access token the app holds would have expired.
 *
 * Each test signs bob in in its own browser context (a browser of its own, with an IdP session of
 * its own). An IdP sign-out revokes the grant whose tokens the app holds for bob (the latest
 * sign-in's), and a revoke ends every session of his, so after each test bob signs in once more
 * and his saved state is replaced: the other specs keep working.
 */
import { readFileSync } from "node:fs";
import type { Browser, Cookie } from "@playwright/test";
import { expect, signInThroughIdp, test } from "./fixtures";
import { APP_URL, bob, IDP_URL } from "./settings";
import { storedTokens } from "./support/database";
import { idpCli } from "./support/idp-cli";
import { sessionCookie, whoseSession } from "./support/session";
import { recordStaleness, secondsUntilSignedOut } from "./support/staleness";

/** Within this, a change at the IdP must reach the browser (the access tokens of the run live 30 s). */
const FEW_SECONDS = 5;

/** The app session cookie auth.setup.ts saved for `user`: another browser of the same user. */
function savedSessionCookie(storageState: string): Pick<Cookie, "name" | "value"> {
  const state = JSON.parse(readFileSync(storageState, "utf8")) as { cookies: Cookie[] };
  const cookie = state.cookies.find(
    (c) => /authjs\.session-token$/.test(c.name) && new URL(APP_URL).hostname === c.domain,
  );
  if (!cookie) throw new Error(`no app session cookie in ${storageState}`);
  return cookie;
}

/** Signs bob in once more in a new browser and saves that state for the specs that follow. */
async function signBobInAgainForLaterSpecs(browser: Browser): Promise<void> {
  const context = await browser.newContext();
  await signInThroughIdp(await context.newPage(), bob);
  await context.storageState({ path: bob.storageState });
  await context.close();
}

// Whatever happens in a test, bob ends it signed in with a live grant, for the specs that follow.
test.afterEach(async ({ browser }) => {
  await signBobInAgainForLaterSpecs(browser);
});

test("bob signs out at the IdP in another tab: his next page load is signed out within seconds", async ({
  browser,
  playwright,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughIdp(page, bob);
  const cookie = await sessionCookie(context);
  const { expiresAt } = storedTokens({ sessionCookie: cookie.value });
  const otherBrowser = savedSessionCookie(bob.storageState);
  expect(await whoseSession(playwright, otherBrowser)).toBe(bob.email);

  // The IdP's own sign-out, not the app's: no id_token_hint, so the IdP asks.
  const idpTab = await context.newPage();
  await idpTab.goto(`${IDP_URL}/session/end`);
  const started = Date.now();
  await idpTab.getByRole("button", { name: "Sign out" }).click();
  await expect(idpTab).toHaveURL(new RegExp(`^${IDP_URL}/session/end/success`));

  const seconds = await secondsUntilSignedOut(page, APP_URL, started);
  recordStaleness("IdP sign-out (end-session, another tab)", seconds);
  expect(seconds).toBeLessThan(FEW_SECONDS);
  // Not by waiting: the access token that session held has not expired yet.
  expect(expiresAt! * 1000).toBeGreaterThan(Date.now());
  expect(await whoseSession(playwright, cookie)).toBeNull();
  // bob's other browser had an IdP session of its own: it is still signed in.
  expect(await whoseSession(playwright, otherBrowser)).toBe(bob.email);

  // Signing in again asks for the password: the IdP session is gone too.
  await signInThroughIdp(page, bob);
  await context.close();
});

test("bob's access revoked at the IdP (seed CLI, roles --sign-out): every app session of his ends within seconds", async ({
  browser,
  playwright,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughIdp(page, bob);
  const cookie = await sessionCookie(context);
  const { expiresAt } = storedTokens({ sessionCookie: cookie.value });
  const otherBrowser = savedSessionCookie(bob.storageState);

  const started = Date.now();
  const { stdout } = await idpCli("roles", bob.email, "--sign-out");
  const revoked = Date.now();
  expect(stdout).toMatch(
    /IdP session\(s\) ended, \d+ grant\(s\) revoked, (\d+) of \1 back-channel logout\(s\) delivered/,
  );

  const seconds = await secondsUntilSignedOut(page, APP_URL, revoked);
  recordStaleness("access revoked at the IdP (after the revoke returned)", seconds);
  recordStaleness("access revoked at the IdP (seed CLI started, tsx start-up included)", (Date.now() - started) / 1000);
  expect(seconds).toBeLessThan(FEW_SECONDS);
  expect(expiresAt! * 1000).toBeGreaterThan(Date.now());
  expect(await whoseSession(playwright, cookie)).toBeNull();
  expect(await whoseSession(playwright, otherBrowser)).toBeNull();

  await context.close();
});
