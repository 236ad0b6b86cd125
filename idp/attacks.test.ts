/**
 * Sign-in attacks at the IdP, through its real endpoints and login page: replayed and raced
 * authorization codes (RFC 6749 §4.1.2: refused, and the tokens already issued for the code
 * revoked), raced refresh tokens, codes redeemed by another client, PKCE mismatches, redirect
 * and post-logout URIs that were never registered, and password guessing per address.
 * (Wrong PKCE verifier, loopback redirect with another path, per-account limiting and refresh
 * token reuse are in app.test.ts, interactions.test.ts and refresh.test.ts.)
 */
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaAdapter } from "./adapter.ts";
import { CLI_CLIENT_ID, webRedirectUri, WEB_CLIENT_ID } from "./clients.ts";
import { WRONG_CREDENTIALS } from "./interactions.ts";
import { Browser, loginFormAction, type Page } from "./testing/browser.ts";
import {
  authorize,
  exchangeCode,
  pkcePair,
  startTestIdp,
  tokenRequest,
  type AuthorizeResult,
  type TestIdp,
  type TokenResponse,
} from "./testing/harness.ts";

let t: TestIdp;
const API = "http://localhost:3000/api";
const CLI_REDIRECT = "http://127.0.0.1:53682/callback";

beforeAll(async () => {
  t = await startTestIdp({ limits: { perAccount: 3, perAddress: 1000 } });
});
afterAll(() => t?.close());

const refresh = (refreshToken: unknown) =>
  tokenRequest(t, { grant_type: "refresh_token", refresh_token: String(refreshToken) });
const userinfo = (accessToken: unknown) =>
  fetch(new URL("/me", t.issuer), { headers: { authorization: `Bearer ${String(accessToken)}` } });

function expectInvalidGrant(response: TokenResponse): void {
  expect(response.status).toBe(400);
  expect(response.body.error).toBe("invalid_grant");
  expect(response.body).not.toHaveProperty("access_token");
}

/**
 * Makes every lookup of one kind of record (codes, refresh tokens) slow, so that concurrent
 * requests all read it before any of them marks it used: the widest race window an attacker
 * could hope for, made deterministic.
 */
async function withSlowLookups<T>(kind: string, run: () => Promise<T>): Promise<T> {
  type FindUnique = (args: { where: { kind_id?: { kind: string } } }) => Promise<unknown>;
  const model = t.db.idpOidcModel as unknown as { findUnique: FindUnique };
  const original = model.findUnique;
  model.findUnique = async (args) => {
    const row = await original.call(model, args);
    if (args.where.kind_id?.kind === kind) await new Promise((resolve) => setTimeout(resolve, 150));
    return row;
  };
  try {
    return await run();
  } finally {
    model.findUnique = original;
  }
}

describe("replayed authorization codes", () => {
  it("refuses a code used twice and revokes the refresh token issued for its first use", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const first = await exchangeCode(t, result);
    expect(first.status).toBe(200);

    expectInvalidGrant(await exchangeCode(t, result));
    expectInvalidGrant(await refresh(first.body.refresh_token));
    // A JWT access token cannot be recalled once issued; it dies at its expiry, 5 minutes by default.
    const access = decodeJwt(String(first.body.access_token));
    expect(access.exp! - access.iat!).toBe(t.settings.IDP_ACCESS_TOKEN_TTL);
  });

  it("revokes the opaque (userinfo) access token of the first use too", async () => {
    const result = await authorize(t);
    const first = await exchangeCode(t, result);
    expect((await userinfo(first.body.access_token)).status).toBe(200);

    expectInvalidGrant(await exchangeCode(t, result));
    const after = await userinfo(first.body.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
  });

  it("lets at most one of several concurrent redemptions win, and then revokes the winner's tokens", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const answers = await withSlowLookups("AuthorizationCode", () =>
      Promise.all([1, 2, 3].map(() => exchangeCode(t, result))),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    for (const loser of answers.filter((answer) => answer.status !== 200)) expectInvalidGrant(loser);
    for (const winner of winners) expectInvalidGrant(await refresh(winner.body.refresh_token));
  });
});

describe("raced refresh tokens", () => {
  it("lets at most one of several concurrent uses of a refresh token win, and treats the rest as theft", async () => {
    const tokens = await exchangeCode(t, await authorize(t, { params: { audience: API } }));
    const answers = await withSlowLookups("RefreshToken", () =>
      Promise.all([1, 2, 3].map(() => refresh(tokens.body.refresh_token))),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    for (const loser of answers.filter((answer) => answer.status !== 200)) expectInvalidGrant(loser);
    for (const winner of winners) expectInvalidGrant(await refresh(winner.body.refresh_token));
    expect(t.logs.some((line) => line.level === "warn" && /refresh token reuse detected/.test(line.msg))).toBe(true);
  });
});

describe("the storage adapter", () => {
  it("consumes a code once: a concurrent second consume is reuse, refused as invalid_grant, and revokes the grant", async () => {
    const adapter = createPrismaAdapter(t.db);
    await adapter("Grant").upsert("grant-raced", { jti: "grant-raced", accountId: "alice" }, 60);
    await adapter("AuthorizationCode").upsert("code-raced", { jti: "code-raced", grantId: "grant-raced" }, 60);
    await adapter("RefreshToken").upsert("refresh-raced", { jti: "refresh-raced", grantId: "grant-raced" }, 60);
    const codes = adapter("AuthorizationCode");

    const results = await Promise.allSettled([codes.consume("code-raced"), codes.consume("code-raced")]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((result) => result.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason).toMatchObject({
      status: 400,
      error: "invalid_grant",
      error_detail: "authorization code already consumed",
    });
    expect(await adapter("Grant").find("grant-raced")).toBeUndefined();
    expect(await adapter("RefreshToken").find("refresh-raced")).toBeUndefined();
  });
});

describe("codes redeemed by someone else", () => {
  it("refuses claimtrip-web's code redeemed by claimtrip-cli (a public client needs no secret)", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const stolen = await exchangeCode(t, result, "none", { client_id: CLI_CLIENT_ID });
    expectInvalidGrant(stolen);
  });

  it("refuses claimtrip-cli's code redeemed by claimtrip-web", async () => {
    const result = await authorize(t, {
      clientId: CLI_CLIENT_ID,
      redirectUri: CLI_REDIRECT,
      params: { audience: API },
    });
    expectInvalidGrant(await exchangeCode(t, result, "basic"));
  });

  it("refuses claimtrip-web's code without the client secret, or with a wrong one", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const withoutSecret = await exchangeCode(t, result, "none", { client_id: WEB_CLIENT_ID });
    expect(withoutSecret.status).toBe(401);
    expect(withoutSecret.body.error).toBe("invalid_client");
    const wrongSecret = await exchangeCode(t, result, "none", {
      client_id: WEB_CLIENT_ID,
      client_secret: "guessed-secret",
    });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe("invalid_client");
  });

  it("refuses a code sent back with another redirect_uri than it was issued for", async () => {
    const result = await authorize(t, { params: { audience: API } });
    expectInvalidGrant(await exchangeCode(t, { ...result, redirectUri: "https://evil.example/callback" }));
    expectInvalidGrant(await exchangeCode(t, { ...result, redirectUri: `${result.redirectUri}/` }));
  });
});

describe("PKCE", () => {
  it("refuses a code redeemed without its code_verifier", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const code = result.callback.searchParams.get("code") ?? "";
    expectInvalidGrant(
      await tokenRequest(t, { grant_type: "authorization_code", code, redirect_uri: result.redirectUri }),
    );
  });

  it("refuses a code redeemed with the verifier of another sign-in (a code injected into the victim's session)", async () => {
    const attacker: AuthorizeResult = await authorize(t, {
      params: { audience: API },
      email: "bob@example.com",
      password: "bob-password",
    });
    const victim: AuthorizeResult = await authorize(t, { params: { audience: API } });
    expectInvalidGrant(await exchangeCode(t, { ...attacker, verifier: victim.verifier }));
  });

  it("refuses the plain challenge method at the authorization endpoint", async () => {
    const url = new URL("/auth", t.issuer);
    const { verifier } = pkcePair();
    url.search = new URLSearchParams({
      client_id: WEB_CLIENT_ID,
      response_type: "code",
      redirect_uri: webRedirectUri(t.settings.APP_URL),
      scope: "openid",
      code_challenge: verifier,
      code_challenge_method: "plain",
    }).toString();
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "", t.issuer);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.has("code")).toBe(false);
  });
});

describe("redirect URIs that were never registered", () => {
  /** Starts a sign-in for `clientId` with `redirectUri`; the IdP must answer itself, never redirect there. */
  async function authorizeWith(clientId: string, redirectUri: string): Promise<Response> {
    const url = new URL("/auth", t.issuer);
    url.search = new URLSearchParams({
      client_id: clientId,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: "openid",
      state: "s",
      code_challenge: pkcePair().challenge,
      code_challenge_method: "S256",
    }).toString();
    return fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
  }

  const web = () => webRedirectUri(t.settings.APP_URL);

  it.each([
    ["another origin", () => "https://evil.example/api/auth/callback/claimtrip"],
    [
      "the app's origin as a prefix of another host",
      () => web().replace("localhost:3000", "localhost:3000.evil.example"),
    ],
    [
      "userinfo in front of another host",
      () => web().replace("http://localhost:3000", "http://localhost:3000@evil.example"),
    ],
    ["another path on the app", () => `${t.settings.APP_URL}/dashboard`],
    ["the callback with a query", () => `${web()}?next=https://evil.example`],
    ["the callback with a trailing slash", () => `${web()}/`],
    ["the callback with dot segments", () => `${web()}/../../../evil`],
    ["https instead of http", () => web().replace("http:", "https:")],
    ["a loopback URI (only the CLI may use those)", () => CLI_REDIRECT],
  ])("claimtrip-web: refuses %s", async (_label, redirectUri) => {
    const response = await authorizeWith(WEB_CLIENT_ID, redirectUri());
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toMatch(/redirect_uri/);
  });

  it.each([
    ["a non-loopback host", "http://evil.example:53682/callback"],
    ["a public IP", "http://203.0.113.7:53682/callback"],
    ["localhost instead of 127.0.0.1", "http://localhost:53682/callback"],
    ["a host that starts with the loopback address", "http://127.0.0.1.evil.example:53682/callback"],
    ["userinfo that looks like the loopback", "http://127.0.0.1:53682@evil.example/callback"],
    ["https", "https://127.0.0.1:53682/callback"],
    ["another path", "http://127.0.0.1:53682/callback/evil"],
    ["a query", "http://127.0.0.1:53682/callback?next=https://evil.example"],
    ["a non-numeric port", "http://127.0.0.1:evil/callback"],
    ["a custom scheme", "claimtrip://127.0.0.1/callback"],
  ])("claimtrip-cli: refuses %s", async (_label, redirectUri) => {
    const response = await authorizeWith(CLI_CLIENT_ID, redirectUri);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });
});

describe("post-logout redirect URIs that were never registered", () => {
  let idToken: string | undefined;
  /** One sign-in's ID token serves every case: a refused logout leaves it valid. */
  const webIdToken = async () => (idToken ??= String((await exchangeCode(t, await authorize(t))).body.id_token));

  async function endSession(params: Record<string, string>): Promise<Response> {
    const url = new URL("/session/end", t.issuer);
    url.search = new URLSearchParams(params).toString();
    return fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
  }

  it.each([
    ["another origin", "https://evil.example/"],
    ["another path on the app", "/dashboard"],
    ["the app's origin without the slash", ""],
    ["the registered URI with a query", "/?next=https://evil.example"],
    ["a protocol-relative path", "//evil.example/"],
  ])("refuses %s, even with a valid id_token_hint", async (_label, suffix) => {
    const target = /^https?:/.test(suffix) ? suffix : `${t.settings.APP_URL}${suffix}`;
    const response = await endSession({ id_token_hint: await webIdToken(), post_logout_redirect_uri: target });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toMatch(/post_logout_redirect_uri/);
  });

  it("refuses claimtrip-web's post-logout URI for claimtrip-cli, which registered none", async () => {
    const cli = await authorize(t, { clientId: CLI_CLIENT_ID, redirectUri: CLI_REDIRECT });
    const tokens = await exchangeCode(t, cli, "none", { client_id: CLI_CLIENT_ID });
    const response = await endSession({
      id_token_hint: String(tokens.body.id_token),
      post_logout_redirect_uri: `${t.settings.APP_URL}/`,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });
});

describe("password guessing", () => {
  async function openLogin(idp: TestIdp, browser = new Browser(idp.issuer)): Promise<{ browser: Browser; page: Page }> {
    const url = new URL("/auth", idp.issuer);
    url.search = new URLSearchParams({
      client_id: WEB_CLIENT_ID,
      response_type: "code",
      redirect_uri: webRedirectUri(idp.settings.APP_URL),
      scope: "openid",
      code_challenge: pkcePair().challenge,
      code_challenge_method: "S256",
    }).toString();
    const page = await browser.navigate(url);
    expect(page.status).toBe(200);
    return { browser, page };
  }

  async function attempt(
    idp: TestIdp,
    email: string,
    password: string,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    const { browser, page } = await openLogin(idp);
    return browser.request(loginFormAction(page) ?? "", { form: { email, password }, headers });
  }

  it("counts differently spelled emails as the same account", async () => {
    for (const email of ["Bob@Example.com", " bob@example.com", "BOB@EXAMPLE.COM "]) {
      expect((await attempt(t, email, "guess")).status).toBe(401);
    }
    const limited = await attempt(t, "bob@example.com", "bob-password");
    expect(limited.status).toBe(429);
    expect(limited.body).toMatch(/Too many attempts, try again in \d+ minutes?\./);
  });

  describe("in parallel", () => {
    let parallelIdp: TestIdp;
    beforeAll(async () => {
      // The production limits: 5 per account, 20 per address.
      parallelIdp = await startTestIdp();
    });
    afterAll(() => parallelIdp?.close());

    /** Posts `count` forms at once from one login page (one browser, one interaction). */
    async function burst(forms: (i: number) => Record<string, string>, count: number): Promise<number[]> {
      const { browser, page } = await openLogin(parallelIdp);
      const action = loginFormAction(page) ?? "";
      const pages = await Promise.all(
        Array.from({ length: count }, (_, i) => browser.request(action, { form: forms(i) })),
      );
      return pages.map((p) => p.status);
    }

    it("judges at most the limit of 40 parallel guesses posted on one login page: 5 per account, 20 per address", async () => {
      const oneAccount = await burst(() => ({ email: "alice@example.com", password: "guess" }), 40);
      expect(oneAccount.filter((s) => s === 401)).toHaveLength(5);
      expect(oneAccount.filter((s) => s === 429)).toHaveLength(35);

      const manyAccounts = await burst((i) => ({ email: `guess-${i}@example.com`, password: "guess" }), 40);
      // With alice's 5, the address has had its 20.
      expect(manyAccounts.filter((s) => s === 401)).toHaveLength(15);
      expect(manyAccounts.filter((s) => s === 429)).toHaveLength(25);
    });
  });

  describe("per address", () => {
    let limitedIdp: TestIdp;
    beforeAll(async () => {
      limitedIdp = await startTestIdp({ limits: { perAccount: 100, perAddress: 3 } });
    });
    afterAll(() => limitedIdp?.close());

    it("limits one address trying many accounts, with a clear message, whatever X-Forwarded-For says", async () => {
      for (const [i, email] of ["carol@example.com", "dave@example.com", "alice@example.com"].entries()) {
        const page = await attempt(limitedIdp, email, "password123", { "x-forwarded-for": `203.0.113.${i + 1}` });
        expect(page.status).toBe(401);
        expect(page.body).toContain(WRONG_CREDENTIALS);
      }
      // Even the right password for an account never tried is refused from this address now.
      const limited = await attempt(limitedIdp, "bob@example.com", "bob-password", {
        "x-forwarded-for": "198.51.100.77",
      });
      expect(limited.status).toBe(429);
      expect(limited.body).toMatch(/Too many attempts, try again in \d+ minutes?\./);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.headers.get("location")).toBeNull();
      expect(limitedIdp.logs.some((line) => line.msg === "sign-in rate limited")).toBe(true);
    });
  });
});
