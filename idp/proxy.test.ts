/**
 * Behind a TLS-terminating proxy (IDP_TRUST_PROXY_HOPS=1): each client is its own address for
 * the login limits, whatever it writes into X-Forwarded-For itself, and the IdP's cookies are
 * Secure. Without the setting, X-Forwarded-* is ignored (idp/attacks.test.ts, "per address").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webRedirectUri, WEB_CLIENT_ID } from "./clients.ts";
import { WRONG_CREDENTIALS } from "./interactions.ts";
import { Browser, loginFormAction, type Page } from "./testing/browser.ts";
import { pkcePair, startTestIdp, type TestIdp } from "./testing/harness.ts";

function authorizeUrl(idp: TestIdp): URL {
  const url = new URL("/auth", idp.issuer);
  url.search = new URLSearchParams({
    client_id: WEB_CLIENT_ID,
    response_type: "code",
    redirect_uri: webRedirectUri(idp.settings.APP_URL),
    scope: "openid",
    code_challenge: pkcePair().challenge,
    code_challenge_method: "S256",
  }).toString();
  return url;
}

describe("one proxy in front", () => {
  let t: TestIdp;
  beforeAll(async () => {
    t = await startTestIdp({ limits: { perAccount: 100, perAddress: 3 }, env: { IDP_TRUST_PROXY_HOPS: "1" } });
  });
  afterAll(() => t?.close());

  /** A sign-in attempt from `client`, as the proxy forwards it: it appends the address it saw. */
  async function attempt(client: string, email: string, password: string, claimed?: string): Promise<Page> {
    const xff = { "x-forwarded-for": claimed ? `${claimed}, ${client}` : client };
    const browser = new Browser(t.issuer);
    const page = await browser.navigate(authorizeUrl(t), { headers: xff });
    expect(page.status).toBe(200);
    return browser.request(loginFormAction(page) ?? "", { form: { email, password }, headers: xff });
  }

  it("limits each client by its own address: one guesser cannot lock everyone out, nor escape by writing X-Forwarded-For", async () => {
    for (const [i, email] of ["carol@example.com", "dave@example.com", "erin@example.com"].entries()) {
      const page = await attempt("203.0.113.1", email, "guess", `198.51.100.${i + 1}`);
      expect(page.status).toBe(401);
      expect(page.body).toContain(WRONG_CREDENTIALS);
    }
    // The guesser is limited, whatever it claims to be.
    const limited = await attempt("203.0.113.1", "frank@example.com", "guess", "192.0.2.50");
    expect(limited.status).toBe(429);
    expect(limited.body).toMatch(/even for the right password/);
    // Everyone else behind the same proxy still signs in.
    expect((await attempt("203.0.113.2", "bob@example.com", "bob-password")).status).toBe(303);
  });
});

describe("one TLS proxy in front of an https issuer", () => {
  let t: TestIdp;
  beforeAll(async () => {
    t = await startTestIdp({ env: { IDP_TRUST_PROXY_HOPS: "1", IDP_ISSUER: "https://id.example.test" } });
  });
  afterAll(() => t?.close());

  it("marks its cookies Secure, whatever X-Forwarded-Proto says", async () => {
    // Plain http on the socket, as the proxy speaks to it; a client-supplied header says http.
    const headers = {
      "x-forwarded-for": "203.0.113.9",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "http",
    };
    const response = await fetch(authorizeUrl(t), { headers, redirect: "manual" });
    // The login page itself, in the authorization response (interactions.ts: loginInPlace).
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/action="\/interaction\/[^"/]+\/login"/);
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/;\s*secure/i);
  });

  it("builds its own URLs from IDP_ISSUER, never from a client's X-Forwarded-Host", async () => {
    const headers = {
      "x-forwarded-for": "203.0.113.9",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "http",
    };
    const response = await fetch(new URL("/session/end", t.issuer), { headers });
    const body = await response.text();
    expect(body).toContain('action="https://id.example.test/session/end/confirm"');
    expect(body).not.toContain("evil.example");
  });
});
