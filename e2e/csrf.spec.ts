/**
 * Cross-site request forgery on the app's state-changing server actions: sign-out, the admin's
 * "end sessions", and a role change. Another site's page (or a script holding the victim's cookie) posts the
 * very form the app renders; it is refused (403 from proxy.ts, and Next.js's own Origin check
 * behind it), and the victim's session survives. The same post from the app's own origin does
 * run: the positive control that shows the refused requests were well-formed.
 *
 * Every session ended here is one this file signed in for itself; the saved sessions of the
 * other specs are never touched.
 */
import { expect, signInThroughIdp, test } from "./fixtures";
import { alice, APP_URL, bob } from "./settings";
import { idpRoles } from "./support/database";
import { autoSubmittingPage, postActionForm, readActionForm } from "./support/forms";
import { sessionCookie, whoseSession } from "./support/session";

const EVIL = "https://evil.example";

test.describe("sign-out", () => {
  test("a cross-site post of the sign-out form is refused; the same post from the app works", async ({
    browser,
    page,
    playwright,
  }) => {
    await signInThroughIdp(page, bob);
    const cookie = await sessionCookie(page.context());
    const form = await readActionForm(browser, page.context(), "/", "Sign out");

    const forged = await postActionForm(page.request, form, EVIL);
    expect(forged.status()).toBe(403);
    expect(forged.headers().location).toBeUndefined();
    expect(await whoseSession(playwright, cookie), "the session survives").toBe(bob.email);

    // The fetch flavour of a server action (Next-Action header), cross-site: refused as well.
    const actionId = form.fields.find(([name]) => name.startsWith("$ACTION_ID_"))![0].slice("$ACTION_ID_".length);
    const fetchStyle = await page.request.post("/", {
      headers: { origin: EVIL, "next-action": actionId, "content-type": "text/plain;charset=UTF-8" },
      data: "[]",
      maxRedirects: 0,
    });
    expect(fetchStyle.status()).toBe(403);
    expect(await whoseSession(playwright, cookie)).toBe(bob.email);

    const genuine = await postActionForm(page.request, form, APP_URL);
    expect(genuine.status(), "the app's own sign-out form still works").toBe(303);
    expect(await whoseSession(playwright, cookie), "the session is over").toBeNull();
  });

  test("an attacker's page that auto-submits the sign-out form in the victim's browser changes nothing", async ({
    browser,
    page,
    playwright,
  }) => {
    await signInThroughIdp(page, bob);
    const cookie = await sessionCookie(page.context());
    const form = await readActionForm(browser, page.context(), "/", "Sign out");
    await page.route(`${EVIL}/**`, (route) =>
      route.fulfill({ contentType: "text/html", body: autoSubmittingPage(form) }),
    );

    const landed = page.waitForResponse(
      (response) => response.url() === `${APP_URL}/` && response.request().method() === "POST",
    );
    await page.goto(`${EVIL}/prize`);
    expect((await landed).status()).toBe(403);

    expect(await whoseSession(playwright, cookie), "still signed in").toBe(bob.email);
    await page.goto("/");
    await expect(page.getByTestId("signed-in-as")).toHaveText(bob.shownAs);
  });
});

test.describe("admin: end a user's sessions", () => {
  test("cross-site posts and non-admins are refused; the admin's own post works", async ({
    adminPage,
    userPage,
    browser,
    playwright,
  }) => {
    // The victim: a session of alice's of its own, in a separate browser.
    const victim = await browser.newContext();
    await signInThroughIdp(await victim.newPage(), alice);
    const victimCookie = await sessionCookie(victim);
    await victim.close();

    await adminPage.goto("/admin");
    await expect(adminPage.getByRole("button", { name: "End my other sessions" })).toBeVisible();
    const form = await readActionForm(browser, adminPage.context(), "/admin", "End my other sessions");
    const adminCookie = await sessionCookie(adminPage.context());

    const forged = await postActionForm(adminPage.request, form, EVIL);
    expect(forged.status()).toBe(403);
    expect(await whoseSession(playwright, victimCookie), "a cross-site post ends nothing").toBe(alice.email);

    // bob is signed in and posts from the app's own origin, but his verified token says no admin.
    await postActionForm(userPage.request, form, APP_URL);
    expect(await whoseSession(playwright, victimCookie), "a non-admin ends nothing").toBe(alice.email);

    const genuine = await postActionForm(adminPage.request, form, APP_URL);
    expect(genuine.status()).toBeLessThan(400);
    expect(await whoseSession(playwright, victimCookie), "the admin's own post ends the session").toBeNull();
    expect(await whoseSession(playwright, adminCookie), "the session the admin acts from stays").toBe(alice.email);
  });

  test("the admin page's button ends the sessions and says how many", async ({ adminPage, browser, playwright }) => {
    const other = await browser.newContext();
    await signInThroughIdp(await other.newPage(), alice);
    const otherCookie = await sessionCookie(other);
    await other.close();

    await adminPage.goto("/admin");
    await adminPage.getByRole("button", { name: "End my other sessions" }).click();
    await expect(adminPage.getByTestId("end-sessions-result")).toHaveText(
      /^Ended [1-9]\d* other app sessions? of yours; this one stays\./,
    );
    expect(await whoseSession(playwright, otherCookie)).toBeNull();
    await adminPage.goto("/admin");
    await expect(adminPage.getByTestId("signed-in-as")).toHaveText(alice.shownAs);
  });
});

test.describe("admin: change a role", () => {
  test("a cross-site post of Make admin is refused, so is a non-admin's; the admin's own post works", async ({
    browser,
    userPage,
  }) => {
    // alice signs in afresh in her own context: the change needs a recent sign-in.
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughIdp(page, alice);
    await page.goto("/admin");
    const form = await readActionForm(browser, context, "/admin", "Make admin");
    expect(form.fields).toContainEqual(["userId", "bob"]);

    expect((await postActionForm(page.request, form, EVIL)).status()).toBe(403);
    expect(idpRoles(bob.email), "a cross-site post changes nothing").toEqual([]);

    await postActionForm(userPage.request, form, APP_URL);
    expect(idpRoles(bob.email), "a non-admin's post changes nothing").toEqual([]);

    expect((await postActionForm(page.request, form, APP_URL)).status()).toBeLessThan(400);
    expect(idpRoles(bob.email), "the admin's own post makes bob admin").toEqual(["admin"]);
    const undo = await readActionForm(browser, context, "/admin", "Remove admin");
    expect(undo.fields).toContainEqual(["userId", "bob"]);
    await postActionForm(page.request, undo, APP_URL);
    expect(idpRoles(bob.email)).toEqual([]);
    await context.close();
  });
});
