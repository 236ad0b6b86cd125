/**
 * A sensitive action does not trust the stored token: an admin whose role was removed at the IdP
 * a moment ago is refused at once, while the access token the app holds for her still says admin
 * and has time left. The action refreshes the token for the purpose (lib/admin/end-sessions.ts).
 *
 * alice gets her role back at the end, and the action then works again, leaving her stored
 * token an admin's for the specs that follow. The IdP never lets the last admin lose the role, so
 * bob holds it at the IdP while alice does not (his browser makes no request meanwhile, so no token
 * of his says so), and loses it again once she has it back.
 */
import { decodeJwt } from "jose";
import { ROLES_CLAIM } from "../lib/shared/claims";
import { expect, test } from "./fixtures";
import { alice, bob } from "./settings";
import { setRolesOf } from "./support/idp-cli";
import { storedTokens } from "./support/database";
import { recordStaleness } from "./support/staleness";

const setRoles = (...roles: string[]) => setRolesOf(alice, ...roles);

test("an admin whose role was just removed at the IdP is refused at once, though her stored token still says admin", async ({
  adminPage,
}) => {
  await adminPage.goto("/admin");
  const endMine = adminPage.getByRole("button", { name: "End my other sessions" });
  const result = adminPage.getByTestId("end-sessions-result");
  // Once as an admin: the action refreshes alice's token, so the app now holds one with a whole
  // lifetime ahead of it.
  await endMine.click();
  await expect(result).toHaveText(/^Ended \d+ other app sessions? of yours; this one stays\./);

  await setRolesOf(bob, "admin");
  try {
    await setRoles();
    const removed = Date.now();
    const held = storedTokens(alice.email);
    expect(decodeJwt(held.accessToken!)[ROLES_CLAIM]).toEqual(["admin"]);

    await endMine.click();
    await expect(result).toHaveText("Refused: your access token does not say you are an admin.");
    const seconds = (Date.now() - removed) / 1000;
    recordStaleness("sensitive action after the admin role was removed (no revoke)", seconds);
    // The token the app held when the role went had not expired: the action did not wait for it.
    expect(held.expiresAt! * 1000).toBeGreaterThan(Date.now());
  } finally {
    await setRoles("admin");
    await setRolesOf(bob);
  }

  await endMine.click();
  await expect(result).toHaveText(/^Ended \d+ other app sessions? of yours; this one stays\./);
  expect(decodeJwt(storedTokens(alice.email).accessToken!)[ROLES_CLAIM]).toEqual(["admin"]);
});
