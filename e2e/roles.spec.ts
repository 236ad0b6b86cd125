/**
 * Changing roles from the app, in a real browser against the real IdP's Management API:
 * alice makes bob admin, bob signs in again and opens /admin, alice removes the role, and bob's
 * attempt to change a role while his token still says admin is refused at once by the fresh
 * check. The audit log shows the three events. An admin whose sign-in is older than
 * ADMIN_REAUTH_MAX_AGE types the password again before a change goes through.
 *
 * Each user signs in in this spec's own browser contexts (the saved states of auth.setup.ts are
 * left alone), and the spec ends with bob signed in again as a non-admin, so the tokens the app
 * holds for him say what the IdP says.
 */
import type { Page } from "@playwright/test";
import { decodeJwt } from "jose";
import { ROLES_CLAIM } from "../lib/shared/claims";
import { expect, signInThroughIdp, test } from "./fixtures";
import { IdpLoginPage } from "./pages/idp-login";
import { ADMIN_REAUTH_MAX_AGE_SECONDS, alice, APP_URL, bob } from "./settings";
import { storedTokens } from "./support/database";

/** The admin page's row for a user, found by the email it shows. */
const row = (page: Page, email: string) => page.getByTestId("admin-users").getByRole("row").filter({ hasText: email });

async function newSignedInPage(browser: import("@playwright/test").Browser, user: typeof alice): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInThroughIdp(page, user);
  return page;
}

test("alice grants and removes bob's admin role; bob's stale token is refused at once; the audit log shows it", async ({
  browser,
}) => {
  // Three sign-ins through the real IdP; alice's changes stay within ADMIN_REAUTH_MAX_AGE of hers.
  test.setTimeout(120_000);
  const alicePage = await newSignedInPage(browser, alice);
  await alicePage.goto("/admin");
  const bobRow = row(alicePage, bob.email);
  await expect(bobRow.getByTestId("user-roles")).toHaveText("none");
  await bobRow.getByRole("button", { name: "Make admin" }).click();
  await expect(bobRow.getByTestId("admin-change-result").first()).toHaveText(`${bob.email} is now an admin.`);
  await expect(bobRow.getByTestId("user-roles")).toHaveText("admin");

  // bob signs in again: his new access token says admin, and /admin opens for him.
  const bobPage = await newSignedInPage(browser, bob);
  await expect((await bobPage.goto("/admin"))?.status()).toBe(200);
  await expect(bobPage.getByRole("heading", { name: "Admin", exact: true })).toBeVisible();

  await bobRow.getByRole("button", { name: "Remove admin" }).click();
  await expect(bobRow.getByTestId("admin-change-result").first()).toHaveText(`${bob.email} is no longer an admin.`);
  await expect(bobRow.getByTestId("user-roles")).toHaveText("none");

  // bob's token still says admin (he still has /admin open), but the IdP no longer does.
  const aliceRowForBob = row(bobPage, alice.email);
  await aliceRowForBob.getByRole("button", { name: "Remove admin" }).click();
  await expect(aliceRowForBob.getByTestId("admin-change-result").first()).toHaveText(
    "Refused: the identity provider says you are not an admin any more.",
  );
  const held = decodeJwt(storedTokens(bob.email).accessToken ?? "");
  expect(held[ROLES_CLAIM], "the refusal came while bob's token still said admin").toEqual(["admin"]);

  await alicePage.goto("/admin");
  await expect(row(alicePage, alice.email).getByTestId("user-roles")).toHaveText("admin");
  await alicePage.goto("/admin/audit");
  const entries = alicePage.getByTestId("audit-entry");
  const expected = [
    [bob.email, "Remove admin", alice.email, "refused (fresh_check)"],
    [alice.email, "Remove admin", bob.email, "done"],
    [alice.email, "Make admin", bob.email, "done"],
  ];
  for (const [index, [actor, action, target, outcome]] of expected.entries()) {
    const entry = entries.nth(index);
    await expect(entry.getByTestId("audit-actor")).toHaveText(actor!);
    await expect(entry.getByTestId("audit-action")).toHaveText(action!);
    await expect(entry.getByTestId("audit-target")).toHaveText(target!);
    await expect(entry.getByTestId("audit-outcome")).toHaveText(outcome!);
  }

  // Leave bob with tokens that say what the IdP says (other specs rely on bob being no admin):
  // a new sign-in replaces the tokens the app holds for him.
  const bobAgain = await newSignedInPage(browser, bob);
  await expect(bobAgain.getByTestId("role-badge")).toHaveText("not an admin");
  for (const page of [alicePage, bobPage, bobAgain]) await page.context().close();
});

test("a recent sign-in counts for its own browser only: an old session types the password again, a newer one elsewhere goes through", async ({
  browser,
}) => {
  test.setTimeout((ADMIN_REAUTH_MAX_AGE_SECONDS + 120) * 1000);
  // Browser A: alice signed in more than ADMIN_REAUTH_MAX_AGE ago (a forgotten laptop).
  const a = await newSignedInPage(browser, alice);
  const signedInAt = Date.now();
  await a.waitForTimeout(signedInAt + (ADMIN_REAUTH_MAX_AGE_SECONDS + 2) * 1000 - Date.now());
  // Browser B: alice signs in now.
  const b = await newSignedInPage(browser, alice);

  // A's attempt is sent to type the password; B's newer sign-in does not vouch for A.
  await a.goto("/admin");
  const bobRowA = row(a, bob.email);
  await bobRowA.getByRole("button", { name: "Make admin" }).click();
  const login = new IdpLoginPage(a);
  await login.expectShown();
  await b.goto("/admin");
  const bobRowB = row(b, bob.email);
  await expect(bobRowB.getByTestId("user-roles"), "A's attempt changed nothing").toHaveText("none");

  // B's own recent sign-in lets B's change through.
  await bobRowB.getByRole("button", { name: "Make admin" }).click();
  await expect(bobRowB.getByTestId("admin-change-result").first()).toHaveText(`${bob.email} is now an admin.`);
  await bobRowB.getByRole("button", { name: "Remove admin" }).click();
  await expect(bobRowB.getByTestId("user-roles")).toHaveText("none");

  // A types the password: A's own session is now recent, and A's change goes through.
  await login.signIn(alice);
  await expect(a).toHaveURL(`${APP_URL}/admin?reauthenticated=1`);
  await expect(a.getByText("You signed in again. You can make the change now.")).toBeVisible();
  await expect(bobRowA.getByTestId("user-roles"), "nothing changed before the password").toHaveText("none");
  await bobRowA.getByRole("button", { name: "Make admin" }).click();
  await expect(bobRowA.getByTestId("admin-change-result").first()).toHaveText(`${bob.email} is now an admin.`);
  await bobRowA.getByRole("button", { name: "Remove admin" }).click();
  await expect(bobRowA.getByTestId("user-roles")).toHaveText("none");

  await a.goto("/admin/audit");
  const entries = a.getByTestId("audit-entry");
  const expected = [
    ["Remove admin", "done"],
    ["Make admin", "done"],
    ["Remove admin", "done"],
    ["Make admin", "done"],
    ["Make admin", "refused (recent_sign_in)"],
  ];
  for (const [index, [action, outcome]] of expected.entries()) {
    await expect(entries.nth(index).getByTestId("audit-action")).toHaveText(action!);
    await expect(entries.nth(index).getByTestId("audit-outcome")).toHaveText(outcome!);
  }
  for (const page of [a, b]) await page.context().close();
});

test("bob, no admin, gets 403 at the audit log", async ({ userPage }) => {
  const response = await userPage.goto("/admin/audit");
  expect(response?.status()).toBe(403);
  await expect(userPage.getByTestId("audit-log")).toHaveCount(0);
});
