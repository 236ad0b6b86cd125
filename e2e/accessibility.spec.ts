/**
 * Every page a person sees, checked with axe-core's WCAG 2.1 A/AA rules at 1280 and 390 px wide,
 * signed out and signed in: a violation of impact serious or critical fails the run, listed. The
 * page must also reflow into the window (WCAG 1.4.10, which axe leaves alone).
 *
 * axe is injected by @axe-core/playwright through the automation protocol (Playwright's
 * `evaluate`), which the page's Content-Security-Policy does not govern; the browser context is
 * an ordinary one (no `bypassCSP`), and each check confirms the CSP still refuses an inline event
 * handler on the very page axe ran on. Nothing in the app or the IdP is loosened for the test.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page, Response } from "@playwright/test";
import { expect, startSignIn, test } from "./fixtures";
import { IDP_URL } from "./settings";

const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** The WCAG 2.0 and 2.1 level A and AA rules, as the issue measured them. */
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Runs axe on the page as it is and fails on serious or critical violations, each one listed. */
async function expectAccessible(page: Page, response: Response | null): Promise<void> {
  expect(response?.headers()["content-security-policy"], "the page is served with its CSP").toMatch(/script-src/);
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const lines = violations.map(
    (v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}`).join("\n")}`,
  );
  if (lines.length) console.log(`${page.url()} at ${page.viewportSize()?.width}px:\n  ${lines.join("\n  ")}`);
  // WCAG 1.4.10 (reflow), which axe does not measure: only a wide table's own box scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "the page is no wider than the window").toBeLessThanOrEqual(0);
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(blocking.map((v) => `${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual(
    [],
  );
  // The CSP was in force while axe ran: an inline event handler (compiled when the event fires, so
  // outside the automation protocol's evaluation) is refused.
  const handler = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const image = document.createElement("img");
        image.setAttribute("onerror", "this.dataset.ran = 'yes'");
        image.addEventListener("error", () => resolve(image.dataset.ran === "yes" ? "ran" : "refused"));
        image.src = "data:,";
      }),
  );
  expect(handler, "the page's CSP refuses an inline event handler").toBe("refused");
}

for (const size of WIDTHS) {
  test.describe(`at ${size.width} px`, () => {
    test.use({ viewport: size });

    test("the home page, signed out", async ({ page }) => {
      await expectAccessible(page, await page.goto("/"));
    });

    test("the 404 page", async ({ page }) => {
      const response = await page.goto("/no-such-page");
      expect(response?.status()).toBe(404);
      await expectAccessible(page, response);
    });

    test("the sign-in error page", async ({ page }) => {
      await expectAccessible(page, await page.goto("/auth/error?error=AccessDenied"));
    });

    for (const path of ["/", "/dashboard", "/tokens", "/admin", "/admin/audit"]) {
      test(`${path}, signed in as an admin`, async ({ adminPage }) => {
        await adminPage.setViewportSize(size);
        const response = await adminPage.goto(path);
        expect(response?.status()).toBe(200);
        await expectAccessible(adminPage, response);
      });
    }

    test("the dashboard and the 403 page, signed in without the role", async ({ userPage }) => {
      await userPage.setViewportSize(size);
      await expectAccessible(userPage, await userPage.goto("/dashboard"));
      const response = await userPage.goto("/admin");
      expect(response?.status()).toBe(403);
      await expectAccessible(userPage, response);
    });

    test("the IdP's login page, fresh and after a wrong password", async ({ page }) => {
      // The login page is the IdP's first page of the sign-in (its authorization endpoint answers with it).
      const shown = page.waitForResponse(
        (r) => r.url().startsWith(IDP_URL) && r.request().isNavigationRequest() && r.status() === 200,
      );
      const login = await startSignIn(page);
      await expectAccessible(page, await shown);
      const answer = await login.submitCredentials("nobody@example.com", "wrong-password");
      await expect(login.error).toBeVisible();
      await expectAccessible(page, answer);
    });

    // alice's saved browser has an IdP session, so the IdP asks; the spec does not answer (signing
    // out would end that session for the specs that follow). A browser without one is told at once.
    test("the IdP's sign-out question and its signed-out page", async ({ adminPage, page }) => {
      await adminPage.setViewportSize(size);
      await expectAccessible(adminPage, await adminPage.goto(`${IDP_URL}/session/end`));
      await expect(adminPage.getByRole("button", { name: "Sign out" })).toBeFocused();
      await expectAccessible(page, await page.goto(`${IDP_URL}/session/end`));
      await expect(page.getByRole("heading", { name: "Signed out" })).toBeVisible();
    });

    test("the IdP's error pages", async ({ page }) => {
      const invalid = await page.goto(`${IDP_URL}/auth?client_id=no-such-client&response_type=code`);
      expect(invalid?.status()).toBe(400);
      await expectAccessible(page, invalid);
      const expired = await page.goto(`${IDP_URL}/interaction/no-such-interaction`);
      expect(expired?.status()).toBe(400);
      await expectAccessible(page, expired);
    });
  });
}
