/**
 * Where the claim lives. The roles claim is in the access token (for the API), not in
 * the ID token (for the app), and the API read the very same value from the token it verified.
 */
import type { Locator } from "@playwright/test";
import { ROLES_CLAIM } from "../lib/claims";
import { expect, test } from "./fixtures";
import { API_AUDIENCE } from "./settings";

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
