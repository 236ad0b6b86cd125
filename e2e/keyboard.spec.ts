/**
 * The admin's job with the keyboard alone (Tab, Shift+Tab, Enter, Space; no click): sign in, make
 * bob an admin, read it in the audit log, and take the role back. Every stop on the way shows a
 * focus ring, and the answer to a role change lands in a live region a screen reader announces.
 *
 * alice signs in in this spec's own browser context (her saved state is left alone), and bob ends
 * as he started, without the role; he never signs in here, so the tokens the app holds for him
 * never said admin.
 */
import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { IdpLoginPage } from "./pages/idp-login";
import { alice, APP_URL, bob } from "./settings";

/** More stops than any page of the app has before the control a step needs. */
const MAX_STOPS = 60;

/** What has focus: its role-ish tag and text, and whether a focus indicator is drawn around it. */
async function focused(page: Page): Promise<{ name: string; indicated: boolean }> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return { name: "(nothing)", indicated: true };
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0;
    const name = `${element.tagName.toLowerCase()} "${(element.getAttribute("aria-label") ?? element.textContent ?? "").trim()}"`;
    return { name, indicated: outline || style.boxShadow !== "none" };
  });
}

/**
 * Presses Tab (or Shift+Tab) until `target` has focus, checking each stop on the way shows a focus
 * indicator; returns the stops, in order.
 */
async function tabTo(page: Page, target: Locator, key: "Tab" | "Shift+Tab" = "Tab"): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < MAX_STOPS; i++) {
    await page.keyboard.press(key);
    const stop = await focused(page);
    stops.push(stop.name);
    expect(stop.indicated, `${stop.name} shows where the focus is`).toBe(true);
    if (await target.evaluate((element) => element === document.activeElement)) return stops;
  }
  throw new Error(`${MAX_STOPS} presses of ${key} never reached ${target}; stops: ${stops.join(", ")}`);
}

/** The admin page's row for a user, found by the email it shows. */
const row = (page: Page, email: string) => page.getByTestId("admin-users").getByRole("row").filter({ hasText: email });

test("an admin signs in, makes bob an admin, reads the audit log and removes the role, by keyboard alone", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await byKeyboard(page);
  } finally {
    // Should a step fail with bob an admin, take the role back (by mouse: this is clean-up).
    if (
      (await page.goto("/admin"))?.ok() &&
      (await row(page, bob.email).getByTestId("user-roles").innerText()) !== "none"
    ) {
      await row(page, bob.email).getByRole("button", { name: "Remove admin" }).click();
      await expect(row(page, bob.email).getByTestId("user-roles")).toHaveText("none");
    }
    await context.close();
  }
});

async function byKeyboard(page: Page): Promise<void> {
  await page.goto("/");

  // The header comes first, then the page's own sign-in button.
  const stops = await tabTo(page, page.getByRole("main").getByRole("button", { name: "Sign in" }));
  expect(stops).toEqual(['a "◆ Claimtrip"', 'button "Sign in"', 'button "Sign in"']);
  await page.keyboard.press("Enter");

  const login = new IdpLoginPage(page);
  await login.expectShown();
  await expect(login.email, "the login page starts in its first field").toBeFocused();
  await page.keyboard.type(alice.email);
  await tabTo(page, login.password);
  await page.keyboard.type(alice.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${APP_URL}/dashboard`);

  const admin = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" });
  expect(await tabTo(page, admin)).toEqual(['a "◆ Claimtrip"', 'a "Dashboard"', 'a "Tokens"', 'a "Admin"']);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${APP_URL}/admin`);

  const bobRow = row(page, bob.email);
  await expect(bobRow.getByTestId("user-roles")).toHaveText("none");
  const roleStatus = bobRow.getByRole("status").first();
  await expect(roleStatus, "the live region is on the page before the answer").toBeEmpty();
  await tabTo(page, bobRow.getByRole("button", { name: "Make admin" }));
  await page.keyboard.press("Space");
  await expect(roleStatus).toHaveText(`${bob.email} is now an admin.`);
  await expect(bobRow.getByTestId("user-roles")).toHaveText("admin");
  await expect(bobRow.getByRole("button", { name: "Remove admin" }), "the focus stays on the button").toBeFocused();

  // The audit log link sits in the text above the table: back up to it.
  await tabTo(page, page.getByRole("main").getByRole("link", { name: "audit log" }), "Shift+Tab");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${APP_URL}/admin/audit`);
  const newest = page.getByTestId("audit-entry").first();
  await expect(newest.getByTestId("audit-actor")).toHaveText(alice.email);
  await expect(newest.getByTestId("audit-action")).toHaveText("Make admin");
  await expect(newest.getByTestId("audit-target")).toHaveText(bob.email);
  await expect(newest.getByTestId("audit-outcome")).toHaveText("done");
  // The table scrolls sideways on a narrow screen, so it takes focus too.
  await tabTo(page, page.getByRole("region", { name: "Audit entries" }));

  // Back to the admin page, and bob loses the role again (the other specs expect him without it).
  await tabTo(page, page.getByRole("main").getByRole("link", { name: "Admin" }), "Shift+Tab");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${APP_URL}/admin`);
  await tabTo(page, bobRow.getByRole("button", { name: "Remove admin" }));
  await page.keyboard.press("Space");
  await expect(roleStatus).toHaveText(`${bob.email} is no longer an admin.`);
  await expect(bobRow.getByTestId("user-roles")).toHaveText("none");
}
