/**
 * The claim round trip for an admin. alice signs in at the IdP, comes back to the app,
 * and the API, reading only her verified access token, sees the admin role.
 */
import { expect, signInThroughIdp, test } from "./fixtures";
import { alice } from "./settings";

test("alice signs in at the IdP and the API sees that she is an admin", async ({ page }) => {
  await signInThroughIdp(page, alice);

  await expect(page.getByTestId("api-view")).toBeVisible();
  await expect(page.getByTestId("api-roles")).toContainText('"admin"');
  await expect(page.getByTestId("role-badge")).toHaveText("admin");
});

test("the admin page opens for alice", async ({ adminPage }) => {
  const response = await adminPage.goto("/admin");

  expect(response?.status()).toBe(200);
  await expect(adminPage.getByRole("heading", { name: "Admin", exact: true })).toBeVisible();
  await expect(adminPage.getByTestId("admin-users")).toContainText(alice.email);
  await expect(adminPage.getByTestId("forbidden")).toHaveCount(0);
});
