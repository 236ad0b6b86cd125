/**
 * A third-party OIDC client (openid-client 6, by the author of oidc-provider but written
 * against the specs, not this IdP) completes Authorization Code + PKCE as claimtrip-cli
 * through the real login page, and verifies what it gets.
 */
import * as client from "openid-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROLES_CLAIM } from "../lib/shared/claims.ts";
import { CLI_CLIENT_ID } from "./clients.ts";
import { Browser, loginFormAction } from "./testing/browser.ts";
import { startTestIdp, type TestIdp } from "./testing/harness.ts";

let t: TestIdp;

beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(() => t?.close());

it("completes Authorization Code + PKCE as claimtrip-cli and verifies the ID token", async () => {
  const config = await client.discovery(new URL(t.issuer), CLI_CLIENT_ID, undefined, client.None(), {
    // The test IdP speaks plain http on loopback.
    execute: [client.allowInsecureRequests],
  });

  const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email profile offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    resource: "http://localhost:3000/api",
  });

  const browser = new Browser(t.issuer);
  const loginPage = await browser.navigate(authorizationUrl);
  const action = loginFormAction(loginPage);
  expect(action).toBeDefined();
  const landed = await browser.navigate(action ?? "", {
    form: { email: "alice@example.com", password: "alice-password" },
  });
  expect(landed.url.href.startsWith(redirectUri)).toBe(true);

  const tokens = await client.authorizationCodeGrant(config, landed.url, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  expect(claims).toMatchObject({ iss: t.issuer, aud: CLI_CLIENT_ID, sub: "alice", email: "alice@example.com", nonce });
  expect(claims).not.toHaveProperty(ROLES_CLAIM);
  expect(tokens.refresh_token).toEqual(expect.any(String));

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? "");
  expect(refreshed.claims()?.sub).toBe("alice");
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
});
