/**
 * A wrong password at the IdP. The answer is 401 with one generic message, the same
 * one an unknown email gets (it never says which part was wrong), and the login form stays.
 */
import { expect, startSignIn, test } from "./fixtures";
import { alice, IDP_URL } from "./settings";

test("a wrong password gets a generic error and the login page again", async ({ page }) => {
  const login = await startSignIn(page);

  const wrongPassword = await login.submitCredentials(alice.email, "not-alice-password");
  expect(wrongPassword.status()).toBe(401);
  await expect(login.error).toHaveText(/wrong email or password/i);
  const message = await login.error.innerText();
  await login.expectShown();

  const unknownEmail = await login.submitCredentials("nobody@example.com", "alice-password");
  expect(unknownEmail.status()).toBe(401);
  await expect(login.error).toHaveText(message);
  await login.expectShown();

  await expect(page).toHaveURL((url) => url.origin === IDP_URL);
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
});
