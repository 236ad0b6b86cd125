/**
 * At least one admin always remains: alice and a second admin (bob, made admin for this spec
 * through the IdP's seed CLI) each click "Remove admin" on the other at the same moment. One
 * change goes through; the other is refused (by the IdP as the last admin, or by the fresh check
 * when the first had already landed), the page says so, and exactly one admin remains.
 *
 * The spec leaves the roles as it found them (alice admin, bob none) and signs bob in once more,
 * so the tokens the app holds for him say what the IdP says, as the specs after it expect.
 */
import type { Browser, Page } from "@playwright/test";
import Database from "better-sqlite3";
import { expect, signInThroughIdp, test } from "./fixtures";
import { alice, bob, DB_FILE, type DemoUser } from "./settings";
import { setRolesOf } from "./support/idp-cli";

const setRoles = setRolesOf;

/** Who holds the admin role at the IdP, by email (read-only, as e2e/support/database.ts reads). */
function admins(): string[] {
  const db = new Database(DB_FILE, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT u.email FROM idp_user_roles ur JOIN idp_users u ON u.id = ur.userId
           JOIN idp_roles r ON r.id = ur.roleId WHERE r.name = 'admin' ORDER BY u.email`,
      )
      .all() as { email: string }[];
    return rows.map((row) => row.email);
  } finally {
    db.close();
  }
}

const row = (page: Page, email: string) => page.getByTestId("admin-users").getByRole("row").filter({ hasText: email });

async function adminPageOf(browser: Browser, user: DemoUser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInThroughIdp(page, user);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Admin", exact: true })).toBeVisible();
  return page;
}

test("alice and bob, both admins, remove each other at the same moment: one admin remains", async ({ browser }) => {
  test.setTimeout(120_000);
  await setRoles(bob, "admin");
  const pages: Page[] = [];
  try {
    expect(admins()).toEqual([alice.email, bob.email]);
    const alicePage = await adminPageOf(browser, alice);
    const bobPage = await adminPageOf(browser, bob);
    pages.push(alicePage, bobPage);
    const byAlice = row(alicePage, bob.email);
    const byBob = row(bobPage, alice.email);

    await Promise.all([
      byAlice.getByRole("button", { name: "Remove admin" }).click(),
      byBob.getByRole("button", { name: "Remove admin" }).click(),
    ]);
    const aliceSays = byAlice.getByTestId("admin-change-result").first();
    const bobSays = byBob.getByTestId("admin-change-result").first();
    await expect(aliceSays).toHaveText(/\S/);
    await expect(bobSays).toHaveText(/\S/);
    const said = [await aliceSays.textContent(), await bobSays.textContent()];
    const done = said.filter((text) => text?.endsWith("is no longer an admin."));
    const refused = said.filter((text) =>
      [
        "Refused: this is the last admin. Make someone else an admin first.",
        "Refused: the identity provider says you are not an admin any more.",
      ].includes(text ?? ""),
    );
    expect({ done: done.length, refused: refused.length }, `the pages said ${JSON.stringify(said)}`).toEqual({
      done: 1,
      refused: 1,
    });
    expect(admins()).toHaveLength(1);
  } finally {
    // Back to the seeded roles, in the order the IdP allows: alice first, then bob's goes.
    await setRoles(alice, "admin");
    await setRoles(bob);
    for (const page of pages) await page.context().close();
  }
  expect(admins()).toEqual([alice.email]);
  const bobAgain = await (await browser.newContext()).newPage();
  await signInThroughIdp(bobAgain, bob);
  await expect(bobAgain.getByTestId("role-badge")).toHaveText("not an admin");
  await bobAgain.context().close();
});
