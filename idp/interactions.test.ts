/**
 * The login page as a person (and an attacker) meets it: the contract's labels, one generic
 * answer for any wrong credentials, rate limiting, no caching, and a form that only works in
 * the browser that started the sign-in.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_CLIENT_ID, webRedirectUri, WEB_CLIENT_ID } from "./clients.ts";
import { WRONG_CREDENTIALS } from "./interactions.ts";
import { Browser, loginFormAction, type Page } from "./testing/browser.ts";
import { pkcePair, startTestIdp, type TestIdp } from "./testing/harness.ts";

let t: TestIdp;

beforeAll(async () => {
  t = await startTestIdp({ limits: { perAccount: 3, perAddress: 50 } });
});
afterAll(() => t?.close());

/** Starts a sign-in and returns the login page it lands on. */
async function openLogin(
  browser = new Browser(t.issuer),
  clientId = WEB_CLIENT_ID,
): Promise<{ browser: Browser; page: Page }> {
  const url = new URL("/auth", t.issuer);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: clientId === WEB_CLIENT_ID ? webRedirectUri(t.settings.APP_URL) : "http://127.0.0.1:7777/callback",
    scope: "openid email",
    code_challenge: pkcePair().challenge,
    code_challenge_method: "S256",
  }).toString();
  const page = await browser.navigate(url);
  expect(page.status).toBe(200);
  return { browser, page };
}

async function submit(browser: Browser, page: Page, email: string, password: string): Promise<Page> {
  const action = loginFormAction(page);
  if (!action) throw new Error("no login form");
  return browser.request(action, { form: { email, password } });
}

describe("the login page", () => {
  it("has the contract's labels and button, names the client, and is never cached", async () => {
    const { page } = await openLogin();
    expect(page.body).toMatch(/<label for="email"[^>]*>Email<\/label>/);
    expect(page.body).toMatch(/<label for="password"[^>]*>Password<\/label>/);
    expect(page.body).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
    expect(page.body).toMatch(/<title>Sign in to Claimtrip<\/title>/);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(page.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
  });

  it("is the authorization endpoint's own answer, not a redirect to it, and its form signs in", async () => {
    const browser = new Browser(t.issuer);
    const { page } = await openLogin(browser);
    // No hop to /interaction/<uid>: the page comes with the authorization response.
    expect(page.url.pathname).toBe("/auth");
    expect(page.headers.get("location")).toBeNull();
    const action = loginFormAction(page);
    expect(action).toMatch(/^\/interaction\/[A-Za-z0-9_-]+\/login$/);
    const done = await browser.navigate(action ?? "", {
      method: "POST",
      form: { email: "bob@example.com", password: "bob-password" },
    });
    expect(done.status).toBe(0); // left for the client's redirect URI
    expect(done.url.href.startsWith(webRedirectUri(t.settings.APP_URL))).toBe(true);
    expect(done.url.searchParams.get("code")).toBeTruthy();
  });

  it("names the CLI when the CLI asks", async () => {
    const { page } = await openLogin(undefined, CLI_CLIENT_ID);
    expect(page.body).toMatch(/<title>Sign in to Claimtrip CLI<\/title>/);
  });

  it("carries its CSS inline, allowed by the CSP by hash alone: no stylesheet round trip", async () => {
    const { page } = await openLogin();
    expect(page.body).not.toMatch(/<link[^>]+stylesheet/);
    const css = /<style>([\s\S]*?)<\/style>/.exec(page.body)?.[1];
    expect(css?.length).toBeGreaterThan(100);
    const hash = createHash("sha256")
      .update(css ?? "")
      .digest("base64");
    const styleSrc = page.headers
      .get("content-security-policy")
      ?.split(";")
      .map((directive) => directive.trim())
      .find((directive) => directive.startsWith("style-src "));
    expect(styleSrc).toBe(`style-src 'sha256-${hash}'`);
  });
});

describe("wrong credentials", () => {
  it("answers a wrong password and an unknown user identically, keeping the email", async () => {
    const wrongPassword = await openLogin().then(({ browser, page }) =>
      submit(browser, page, "bob@example.com", "not-bobs-password"),
    );
    const unknownUser = await openLogin().then(({ browser, page }) =>
      submit(browser, page, "nobody@example.com", "bob-password"),
    );

    for (const page of [wrongPassword, unknownUser]) {
      expect(page.status).toBe(401);
      expect(page.body).toContain(WRONG_CREDENTIALS);
      expect(page.headers.get("cache-control")).toBe("no-store");
    }
    expect(wrongPassword.body).toContain('value="bob@example.com"');
    expect(unknownUser.body).toContain('value="nobody@example.com"');
    const normalise = (page: Page, email: string) =>
      page.body.replace(email, "EMAIL").replace(/\/interaction\/[A-Za-z0-9_-]+\//g, "/interaction/UID/");
    expect(normalise(wrongPassword, "bob@example.com")).toBe(normalise(unknownUser, "nobody@example.com"));
  });

  it("escapes what was typed", async () => {
    const { browser, page } = await openLogin();
    const answer = await submit(browser, page, '"><script>alert(1)</script>', "x");
    expect(answer.body).not.toContain("<script>alert(1)</script>");
    expect(answer.body).toContain("&quot;&gt;&lt;script&gt;");
  });

  it("refuses a form over 8 KiB with 413, read no further than that", async () => {
    const { browser, page } = await openLogin();
    const refused = await submit(browser, page, "bob@example.com", "x".repeat(9 * 1024));
    expect(refused.status).toBe(413);
    expect(refused.body).toContain("The form is too large.");
  });

  // Locks alice out for the rest of this file: later tests sign in as bob.
  it("slows down repeated failures for one account with 429 and a clear message", async () => {
    const email = "alice@example.com";
    for (let i = 0; i < 3; i++) {
      const { browser, page } = await openLogin();
      expect((await submit(browser, page, email, `guess-${i}`)).status).toBe(401);
    }
    const { browser, page } = await openLogin();
    const limited = await submit(browser, page, email, "alice-password");
    expect(limited.status).toBe(429);
    expect(limited.body).toMatch(/Too many attempts, try again in \d+ minutes?\./);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another account from the same address is not locked out by alice's failures.
    const other = await openLogin();
    const bob = await submit(other.browser, other.page, "bob@example.com", "bob-password");
    expect(bob.status).toBe(303);
  });
});

describe("the interaction is bound to its browser", () => {
  it("refuses the form posted from another browser (no interaction cookie)", async () => {
    const { page } = await openLogin();
    const stranger = new Browser(t.issuer);
    const answer = await submit(stranger, page, "bob@example.com", "bob-password");
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/expired or belongs to another browser/);
    expect(answer.headers.get("location")).toBeNull();
  });

  it("refuses a uid that is not the one the cookie names", async () => {
    const { browser, page } = await openLogin();
    const action = loginFormAction(page) ?? "";
    const forged = action.replace(/\/interaction\/[^/]+\//, "/interaction/someone-elses-uid/");
    // The browser's real interaction cookie, sent to a path naming another interaction.
    const headers = { cookie: browser.cookieHeader(action) };
    expect(headers.cookie).toMatch(/_interaction=/);
    const answer = await browser.request(forged, {
      form: { email: "bob@example.com", password: "bob-password" },
      headers,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/expired or belongs to another browser/);
  });

  it("answers unknown steps and methods with no-store errors", async () => {
    const { browser, page } = await openLogin();
    const action = loginFormAction(page) ?? "";
    const get = await browser.request(action);
    expect(get.status).toBe(405);
    expect(get.headers.get("cache-control")).toBe("no-store");
  });

  it("sends the user back to the client with access_denied on Cancel", async () => {
    const { browser, page } = await openLogin();
    const abort = (loginFormAction(page) ?? "").replace(/\/login$/, "/abort");
    const answer = await browser.navigate(abort, { method: "POST", form: {} });
    expect(answer.status).toBe(0);
    expect(answer.url.searchParams.get("error")).toBe("access_denied");
  });
});
