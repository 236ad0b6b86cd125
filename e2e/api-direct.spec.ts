/**
 * The API called directly, as any client could. No token, a garbage token, and a real,
 * validly signed token for the IdP's other API (urn:claimtrip:reports, obtained by the public
 * CLI client through the real login page) are all refused with 401 and RFC 6750 headers (no
 * error code in the challenge when no token came), and the API never echoes what it was sent.
 */
import { createHash, randomBytes } from "node:crypto";
import type { APIResponse } from "@playwright/test";
import { decodeJwt } from "jose";
import { ROLES_CLAIM } from "../lib/shared/claims";
import { expect, test } from "./fixtures";
import { IdpLoginPage } from "./pages/idp-login";
import { alice, API_AUDIENCE, IDP_URL, OTHER_API } from "./settings";

const API_PATHS = ["/api/me", "/api/admin"] as const;

async function expectInvalidToken(response: APIResponse, sent?: string): Promise<void> {
  expect(response.status(), `the status of ${new URL(response.url()).pathname}`).toBe(401);
  const challenge = response.headers()["www-authenticate"] ?? "";
  expect(challenge).toMatch(/^Bearer\b/);
  expect(challenge).toContain('error="invalid_token"');
  const text = await response.text();
  const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
  expect(body.error).toBe("invalid_token");
  expect(typeof body.error_description).toBe("string");
  expect(text).not.toMatch(/\n\s+at /);
  if (sent) {
    for (const part of [sent, ...sent.split(".").filter((p) => p.length >= 16)]) {
      expect(text.includes(part) || challenge.includes(part), "the API echoed the token").toBe(false);
    }
  }
}

test("no token, or another scheme: 401 with challenges that carry no error (RFC 6750 §3.1)", async ({ request }) => {
  for (const path of API_PATHS) {
    for (const headers of [{} as Record<string, string>, { authorization: "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=" }]) {
      const response = await request.get(path, { headers });
      expect(response.status(), path).toBe(401);
      const challenge = response.headers()["www-authenticate"] ?? "";
      expect(challenge).toMatch(
        new RegExp(
          `^Bearer realm="${API_AUDIENCE}", resource_metadata="[^"]+", DPoP realm="[^"]+", algs="[^"]+", resource_metadata="[^"]+"$`,
        ),
      );
      expect(challenge).not.toContain("error");
      expect(((await response.json()) as { error?: unknown }).error).toBe("invalid_token");
    }
  }
});

test("a garbage token: 401 invalid_token, not echoed", async ({ request }) => {
  const garbage = [
    `garbage-${randomBytes(12).toString("hex")}`,
    // An unsigned JWT (alg none) claiming to be an admin.
    [
      Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url"),
      Buffer.from(JSON.stringify({ sub: "intruder", [ROLES_CLAIM]: ["admin"] })).toString("base64url"),
      "",
    ].join("."),
  ];
  for (const token of garbage) {
    for (const path of API_PATHS) {
      await expectInvalidToken(await request.get(path, { headers: { authorization: `Bearer ${token}` } }), token);
    }
  }
});

test("a real token for the other API: 401 invalid_token", async ({ browser, request }) => {
  const discovery = (await (await request.get(`${IDP_URL}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };

  // Authorization Code + PKCE as the public CLI client, with a loopback redirect nobody listens on:
  // the browser's request to it is caught here instead.
  const redirectUri = "http://127.0.0.1:8765/callback";
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(16).toString("base64url");
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: "claimtrip-cli",
    response_type: "code",
    redirect_uri: redirectUri,
    scope: "openid",
    resource: OTHER_API,
    state,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();

  const context = await browser.newContext();
  const page = await context.newPage();
  let callback: URL | undefined;
  await page.route(`${new URL(redirectUri).origin}/**`, async (route) => {
    callback = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: "text/plain", body: "Signed in; you can close this window." });
  });
  await page.goto(authorize.toString());
  await new IdpLoginPage(page).signIn(alice);
  await expect.poll(() => callback?.pathname).toBe("/callback");
  await context.close();
  expect(callback?.searchParams.get("state")).toBe(state);
  const code = callback?.searchParams.get("code");
  expect(code, `the IdP answered ${callback?.search}`).toBeTruthy();

  const exchange = await request.post(discovery.token_endpoint, {
    form: {
      grant_type: "authorization_code",
      code: code!,
      redirect_uri: redirectUri,
      client_id: "claimtrip-cli",
      code_verifier: verifier,
      resource: OTHER_API,
    },
  });
  expect(exchange.status(), await exchange.text()).toBe(200);
  const { access_token: token } = (await exchange.json()) as { access_token: string };

  // A genuine token, signed by the same IdP for the same admin, but for the other API.
  const claims = decodeJwt(token);
  expect(claims.aud === OTHER_API || (Array.isArray(claims.aud) && claims.aud.includes(OTHER_API))).toBe(true);
  expect(claims.client_id).toBe("claimtrip-cli");
  expect(claims[ROLES_CLAIM]).toBeUndefined();

  for (const path of API_PATHS) {
    await expectInvalidToken(await request.get(path, { headers: { authorization: `Bearer ${token}` } }), token);
  }
});
