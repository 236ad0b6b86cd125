/**
 * Where the claim lives. The roles claim is in the access token (for the API), not in
 * the ID token (for the app), and the API read the very same value from the token it verified.
 */
import type { Locator } from "@playwright/test";
import { ROLES_CLAIM } from "../lib/shared/claims";
import { expect, test } from "./fixtures";
import { API_AUDIENCE, OTHER_API } from "./settings";

const claim = (column: Locator, name: string) => column.locator(`[data-claim="${name}"]`);
const value = (column: Locator, name: string) => claim(column, name).locator("dd");

test("the roles claim is in the access token, not the ID token, and the API agrees", async ({ adminPage }) => {
  await adminPage.goto("/tokens");
  const idToken = adminPage.getByTestId("id-token-claims");
  const accessToken = adminPage.getByTestId("access-token-claims");
  const api = adminPage.getByTestId("api-claims");

  await expect(claim(accessToken, ROLES_CLAIM)).toHaveAttribute("data-kind", "custom");
  await expect(value(accessToken, ROLES_CLAIM)).toContainText('"admin"');
  await expect(value(accessToken, "aud")).toContainText(API_AUDIENCE);
  await expect(claim(accessToken, "iss")).toHaveAttribute("data-kind", "registered");
  // The community question's "sub is missing": ASP.NET Core renames it; the inspector says so beside it.
  await expect(claim(accessToken, "sub").getByTestId("claim-note")).toContainText("nameidentifier");

  // The ID token column is filled in (it names alice), and the roles claim is not among its claims.
  await expect(claim(idToken, "sub")).toBeVisible();
  await expect(claim(idToken, "email")).toHaveAttribute("data-kind", "oidc");
  await expect(claim(idToken, ROLES_CLAIM)).toHaveCount(0);

  // The API saw the same token (same jti) and read the same roles from it.
  await expect(claim(api, ROLES_CLAIM)).toHaveAttribute("data-kind", "custom");
  await expect(value(api, ROLES_CLAIM)).toHaveText(await value(accessToken, ROLES_CLAIM).innerText());
  await expect(value(api, "jti")).toHaveText(await value(accessToken, "jti").innerText());
});

test("beside the countdown: when a change at the IdP reaches the page", async ({ adminPage }) => {
  await adminPage.goto("/tokens");
  const reach = adminPage.getByTestId("access-token-claims").getByTestId("idp-change-reach");
  await expect(reach).toHaveText(
    /^A change at the IdP reaches this page: at the next refresh \((in \d+:\d{2}|due at your next page load)\), or at once if the IdP signs you out\.$/,
  );
});

test("the contrast: the roles claim only in this app's token for this API, each decided by a rule of add-roles", async ({
  adminPage,
}) => {
  await adminPage.goto("/tokens");
  const contrast = adminPage.getByTestId("token-contrast");
  await expect(contrast.getByRole("heading", { name: "Only this app, only this API" })).toBeVisible();
  const thisApp = contrast.getByTestId("contrast-this-app");
  const otherClient = contrast.getByTestId("contrast-other-client");
  const otherApi = contrast.getByTestId("contrast-other-api");

  // Tokens the IdP issued for alice just now, not drawings: her sub, the other client, the other API.
  const sub = await value(adminPage.getByTestId("access-token-claims"), "sub").innerText();
  for (const column of [thisApp, otherClient, otherApi]) await expect(value(column, "sub")).toHaveText(sub);
  await expect(value(otherClient, "client_id")).toHaveText("claimtrip-cli");
  await expect(value(otherClient, "aud")).toHaveText(API_AUDIENCE);
  await expect(value(otherApi, "client_id")).toHaveText("claimtrip-web");
  await expect(value(otherApi, "aud")).toHaveText(OTHER_API);

  await expect(value(thisApp, ROLES_CLAIM)).toContainText('"admin"');
  await expect(claim(otherClient, ROLES_CLAIM)).toHaveCount(0);
  await expect(claim(otherApi, ROLES_CLAIM)).toHaveCount(0);

  await expect(thisApp.getByTestId("contrast-verdict")).toContainText("Roles claim: present.");
  await expect(thisApp.getByTestId("contrast-verdict")).toContainText("Decided by rule 3 of idp/actions/add-roles.ts");
  await expect(otherClient.getByTestId("contrast-verdict")).toContainText("Roles claim: absent.");
  await expect(otherClient.getByTestId("contrast-verdict")).toContainText("rule 1 of idp/actions/add-roles.ts");
  await expect(otherApi.getByTestId("contrast-verdict")).toContainText("rule 2 of idp/actions/add-roles.ts");
  await expect(contrast.getByRole("alert")).toHaveCount(0);
});

test("time claims read as a time: the number, the date-time in UTC, and a relative time that counts", async ({
  adminPage,
}) => {
  const problems: string[] = [];
  adminPage.on("pageerror", (error) => problems.push(error.message));
  adminPage.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await adminPage.goto("/tokens");
  const accessToken = adminPage.getByTestId("access-token-claims");
  for (const name of ["iat", "exp"]) {
    const cell = value(accessToken, name);
    await expect(cell).toContainText(/^\d{10}/);
    await expect(cell.locator("time")).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  }
  await expect(value(accessToken, "iat").getByTestId("relative-time")).toHaveText(
    /^(now|\d+ s ago|\d+ min( \d+ s)? ago)$/,
  );
  const expiry = value(accessToken, "exp").getByTestId("relative-time");
  await expect(expiry).toHaveText(/^in \d+ (s|min)/);
  // It keeps counting: the text changes without a reload.
  const before = await expiry.innerText();
  await expect(expiry).not.toHaveText(before);
  // The browser hydrated the server's text: no mismatch reported.
  expect(problems).toEqual([]);
});

for (const width of [1280, 1024, 390]) {
  test(`at ${width} px nothing in the inspector is wider than its box`, async ({ adminPage }) => {
    await adminPage.setViewportSize({ width, height: 900 });
    await adminPage.goto("/tokens");
    await expect(adminPage.getByTestId("token-contrast")).toBeVisible();
    const overflowing = await adminPage.locator("main").evaluate((main) =>
      [main, ...main.querySelectorAll("*")]
        .filter((element) => element.scrollWidth > element.clientWidth && element.clientWidth > 0)
        .map((element) => {
          const testId = element.closest("[data-testid]")?.getAttribute("data-testid");
          const claimName = element.closest("[data-claim]")?.getAttribute("data-claim");
          return `${element.tagName.toLowerCase()} in ${testId ?? "main"}${claimName ? ` (${claimName})` : ""}: ${element.scrollWidth} > ${element.clientWidth}`;
        }),
    );
    expect(overflowing).toEqual([]);
    // And the page itself does not scroll sideways (a phone).
    expect(await adminPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await adminPage.screenshot({ path: `test-results/tokens-${width}.png`, fullPage: true });
  });
}

test("the home page's three questions each link to where the app shows the answer", async ({ adminPage }) => {
  await adminPage.goto("/");
  const questions = adminPage.getByTestId("seed-questions");
  await expect(questions.getByRole("term")).toHaveText([
    "Where does the claim go?",
    "Why only this app and this API?",
    "How stale can a role be?",
  ]);
  await expect(questions.getByRole("link", { name: /in the contrast/ })).toHaveAttribute("href", "/tokens#contrast");
  await expect(questions.getByRole("link", { name: /when a change reaches you/ })).toHaveAttribute(
    "href",
    "/tokens#reach",
  );
  await questions.getByRole("link", { name: /in the contrast/ }).click();
  await expect(adminPage).toHaveURL(/\/tokens#contrast$/);
  await expect(adminPage.getByTestId("token-contrast")).toBeInViewport();
});
