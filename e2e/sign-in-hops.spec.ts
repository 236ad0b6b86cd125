/**
 * The sign-in takes the fewest browser round trips the protocol allows, and works without
 * JavaScript: "Sign in" is a plain form post answered by a 303 straight to the IdP's
 * authorization endpoint (lib/auth/sign-in-start.ts), which answers with the login page itself
 * (idp/interactions.ts), whose CSS is inline (idp/views/styles.ts). Counted from the browser's own requests, so the numbers do not
 * depend on how busy the machine is.
 *
 * Each test signs in in its own browser context and does not sign out (see return-path.spec.ts).
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { IdpLoginPage } from "./pages/idp-login";
import { APP_URL, bob, IDP_URL } from "./settings";

/** Every request the page makes, as `METHOD origin-path status`, in order. */
function recordHops(page: Page): string[] {
  const hops: string[] = [];
  page.on("response", (response) => {
    const request = response.request();
    const url = new URL(request.url());
    const origin = url.origin === APP_URL ? "app" : url.origin === IDP_URL ? "idp" : url.origin;
    const path = url.pathname.replace(/\/(interaction|auth)\/[A-Za-z0-9_-]{10,}/, "/$1/<uid>");
    hops.push(`${request.resourceType()} ${request.method()} ${origin}${path} ${response.status()}`);
  });
  return hops;
}

const documents = (hops: string[]) => hops.filter((hop) => hop.startsWith("document "));

test("sign-in works with JavaScript disabled", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  await page.goto(`${APP_URL}/`);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await new IdpLoginPage(page).signIn(bob);

  await expect(page).toHaveURL(`${APP_URL}/dashboard`);
  await expect(page.getByTestId("signed-in-as")).toHaveText(bob.shownAs);
  await context.close();
});

test("sign-in is one redirect chain: no script round trip, no stylesheet, no extra hop", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${APP_URL}/`);
  const hops = recordHops(page);

  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  const login = new IdpLoginPage(page);
  await login.expectShown();
  // Click to form: one post, then the authorization request answered with the login page itself
  // (idp/interactions.ts); nothing else from the IdP before the form can render (its CSS is inline).
  expect(documents(hops)).toEqual(["document POST app/auth/sign-in 303", "document GET idp/auth 200"]);
  expect(hops.filter((hop) => hop.includes(" idp/") && !hop.startsWith("document "))).toEqual([]);

  hops.length = 0;
  await login.submitCredentials(bob.email, bob.password);
  await expect(page).toHaveURL(`${APP_URL}/dashboard`);
  await expect(page.getByTestId("signed-in-as")).toHaveText(bob.shownAs);
  // Submit to dashboard: the login post, oidc-provider's resume, the callback, the page.
  expect(documents(hops)).toEqual([
    "document POST idp/interaction/<uid>/login 303",
    "document GET idp/auth/<uid> 303",
    "document GET app/api/auth/callback/claimtrip 302",
    "document GET app/dashboard 200",
  ]);
  await context.close();
});

test("a cross-site post to the sign-in start is refused and sets no sign-in cookies", async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: APP_URL });
  const response = await request.post("/auth/sign-in", {
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    form: { returnTo: "/admin" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  expect(response.headers().location).toBeUndefined();
  expect(response.headers()["set-cookie"]).toBeUndefined();

  const same = await request.post("/auth/sign-in", {
    headers: { origin: APP_URL },
    form: { returnTo: "/admin" },
    maxRedirects: 0,
  });
  expect(same.status(), "the same post from the app starts a sign-in").toBe(303);
  const location = new URL(same.headers().location ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(`${IDP_URL}/auth`);
  for (const param of ["code_challenge", "state", "nonce"]) expect(location.searchParams.get(param)).toBeTruthy();
  expect(location.searchParams.get("code_challenge_method")).toBe("S256");
  expect(same.headers()["set-cookie"]).toMatch(/pkce\.code_verifier=/);
  await request.dispose();
});
