/**
 * RP-initiated logout: with the signed-in user's own id_token_hint the IdP signs out at once (a
 * nonce'd script submits the form under a strict CSP); without one, or with someone else's, it
 * asks. Either way the IdP session ends only when the user's own browser submits the form.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { WEB_CLIENT_ID } from "./clients.ts";
import type { Page } from "./testing/browser.ts";
import { authorize, exchangeCode, startTestIdp, type TestIdp } from "./testing/harness.ts";

let t: TestIdp;

beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(() => t?.close());

function hiddenFields(page: Page): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, name, value] of page.body.matchAll(
    /<input type="hidden"(?: form="op.logoutForm")? name="([^"]+)" value="([^"]*)"/g,
  )) {
    if (name) fields[name] = value ?? "";
  }
  return fields;
}

it("signs out at once when the app sends its ID token, and ends the IdP session", async () => {
  const signedIn = await authorize(t);
  const tokens = await exchangeCode(t, signedIn);
  const { browser } = signedIn;
  const postLogout = `${t.settings.APP_URL}/`;

  const end = new URL("/session/end", t.issuer);
  end.search = new URLSearchParams({
    id_token_hint: String(tokens.body.id_token),
    post_logout_redirect_uri: postLogout,
    state: "s1",
  }).toString();
  const page = await browser.navigate(end);
  expect(page.status).toBe(200);
  const nonce = /<script nonce="([^"]+)">document\.getElementById\("op\.logoutForm"\)\.submit\(\);<\/script>/.exec(
    page.body,
  )?.[1];
  expect(nonce).toBeDefined();
  expect(page.headers.get("content-security-policy")).toContain(`'nonce-${nonce}'`);
  expect(page.headers.get("content-security-policy")).not.toContain("unsafe-inline");

  // What the script does: submit the form, with logout=yes.
  const fields = hiddenFields(page);
  expect(fields.logout).toBe("yes");
  const done = await browser.navigate("/session/end/confirm", { form: fields });
  expect(done.status).toBe(0);
  expect(done.url.href).toBe(`${postLogout}?state=s1`);

  const again = await authorize(t, {}, browser);
  expect(again.loginPage).toBeDefined();
});

it("asks with a Sign out button when the request does not prove which session it means", async () => {
  const { browser } = await authorize(t);
  const end = new URL("/session/end", t.issuer);
  end.search = new URLSearchParams({ client_id: WEB_CLIENT_ID }).toString();
  const page = await browser.navigate(end);
  expect(page.status).toBe(200);
  expect(page.body).toMatch(/<button[^>]*name="logout" value="yes"[^>]*>Sign out<\/button>/);
  expect(page.body).not.toContain("<script");
});

it("asks, and keeps the session, when the hint is another user's ID token (a link anyone could build)", async () => {
  // The attacker signs in as themselves and builds a logout link with their own ID token.
  const attacker = await exchangeCode(t, await authorize(t, { email: "bob@example.com", password: "bob-password" }));
  const victim = await authorize(t);

  const end = new URL("/session/end", t.issuer);
  end.search = new URLSearchParams({
    id_token_hint: String(attacker.body.id_token),
    post_logout_redirect_uri: `${t.settings.APP_URL}/`,
  }).toString();
  const page = await victim.browser.navigate(end);
  expect(page.status).toBe(200);
  expect(page.body).toMatch(/<button[^>]*name="logout" value="yes"[^>]*>Sign out<\/button>/);
  expect(page.body).not.toContain("<script");
  expect(hiddenFields(page).logout).toBeUndefined();

  // Nothing was submitted: the victim is still signed in at the IdP.
  const again = await authorize(t, {}, victim.browser);
  expect(again.loginPage).toBeUndefined();
});
