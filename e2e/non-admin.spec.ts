/**
 * A user without the role. bob's verified access token carries no admin role, so the
 * dashboard says so and the admin page answers 403 with a friendly page.
 */
import { expect, test } from "./fixtures";
import { bob } from "./settings";

test("bob's dashboard shows that the API does not see an admin", async ({ userPage }) => {
  await userPage.goto("/dashboard");

  await expect(userPage.getByTestId("signed-in-as")).toHaveText(bob.shownAs);
  await expect(userPage.getByTestId("api-view")).toBeVisible();
  await expect(userPage.getByTestId("api-roles")).not.toContainText('"admin"');
  await expect(userPage.getByTestId("role-badge")).toHaveText("not an admin");
});

test("the admin page answers bob with 403 and a friendly page", async ({ userPage }) => {
  const response = await userPage.goto("/admin");

  expect(response?.status()).toBe(403);
  await expect(userPage.getByTestId("forbidden")).toBeVisible();
  await expect(userPage.getByRole("heading", { name: "Admins only" })).toBeVisible();
  await expect(userPage.getByTestId("admin-users")).toHaveCount(0);
});
