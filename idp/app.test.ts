/**
 * End to end through the real login page: Authorization Code + PKCE for both clients, the
 * roles claim only where the contract puts it, RFC 9068 access tokens verified against the
 * JWKS, and Auth0's `audience` accepted like RFC 8707's `resource`.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES_CLAIM } from "../lib/shared/claims.ts";
import { CLI_CLIENT_ID, WEB_CLIENT_ID } from "./clients.ts";
import { REPORTS_API } from "./resources.ts";
import { authorize, exchangeCode, startTestIdp, type TestIdp } from "./testing/harness.ts";

let t: TestIdp;
let jwks: ReturnType<typeof createRemoteJWKSet>;
const API = "http://localhost:3000/api";

beforeAll(async () => {
  t = await startTestIdp();
  jwks = createRemoteJWKSet(new URL("/jwks", t.issuer));
});
afterAll(() => t?.close());

function verifyAccessToken(token: unknown, audience: string) {
  return jwtVerify(String(token), jwks, { issuer: t.issuer, audience, typ: "at+jwt", algorithms: ["RS256"] });
}

function verifyIdToken(token: unknown, clientId: string) {
  return jwtVerify(String(token), jwks, { issuer: t.issuer, audience: clientId, algorithms: ["RS256"] });
}

describe("discovery", () => {
  it("publishes the endpoints and S256-only PKCE", async () => {
    const response = await fetch(new URL("/.well-known/openid-configuration", t.issuer));
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(t.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
    expect(metadata.end_session_endpoint).toBe(`${t.issuer}/session/end`);
    expect(metadata.userinfo_endpoint).toBe(`${t.issuer}/me`);
    expect(metadata.response_types_supported).toEqual(["code"]);
  });

  it("publishes only public signing keys", async () => {
    const { keys } = (await (await fetch(new URL("/jwks", t.issuer))).json()) as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
  });
});

describe("claimtrip-web, Authorization Code + PKCE", () => {
  it.each(["audience", "resource"])(
    "issues an RFC 9068 access token with the roles claim when the API is named with %s",
    async (param) => {
      const result = await authorize(t, { params: { [param]: API } });
      expect(result.callback.origin + result.callback.pathname).toBe(result.redirectUri);
      expect(result.callback.searchParams.get("state")).toBe(result.state);
      expect(result.callback.searchParams.get("iss")).toBe(t.issuer);

      const tokens = await exchangeCode(t, result);
      expect(tokens.status).toBe(200);
      expect(tokens.body).toMatchObject({ token_type: "Bearer", expires_in: 300 });
      expect(tokens.body.refresh_token).toEqual(expect.any(String));

      const { payload, protectedHeader } = await verifyAccessToken(tokens.body.access_token, API);
      expect(protectedHeader.typ).toBe("at+jwt");
      expect(protectedHeader.kid).toEqual(expect.any(String));
      expect(payload).toMatchObject({ iss: t.issuer, sub: "alice", aud: API, client_id: WEB_CLIENT_ID });
      for (const claim of ["exp", "iat", "jti", "scope"]) expect(payload).toHaveProperty(claim);
      expect(payload.exp! - payload.iat!).toBe(300);
      expect(String(payload.scope).split(" ")).toEqual(expect.arrayContaining(["openid", "offline_access"]));
      expect(payload[ROLES_CLAIM]).toEqual(["admin"]);

      const id = await verifyIdToken(tokens.body.id_token, WEB_CLIENT_ID);
      expect(id.payload).toMatchObject({
        sub: "alice",
        nonce: result.nonce,
        email: "alice@example.com",
        name: "Alice",
      });
      expect(id.payload).not.toHaveProperty(ROLES_CLAIM);
    },
  );

  it("accepts client_secret_post as well as client_secret_basic", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const tokens = await exchangeCode(t, result, "post");
    expect(tokens.status).toBe(200);
    expect(decodeJwt(String(tokens.body.access_token))[ROLES_CLAIM]).toEqual(["admin"]);
  });

  it("gives a user without roles an empty roles claim", async () => {
    const result = await authorize(t, {
      params: { audience: API },
      email: "bob@example.com",
      password: "bob-password",
    });
    const tokens = await exchangeCode(t, result);
    const { payload } = await verifyAccessToken(tokens.body.access_token, API);
    expect(payload.sub).toBe("bob");
    expect(payload[ROLES_CLAIM]).toEqual([]);
  });

  it("leaves the claim out of tokens for urn:claimtrip:reports", async () => {
    const result = await authorize(t, { params: { audience: REPORTS_API } });
    const tokens = await exchangeCode(t, result);
    const { payload } = await verifyAccessToken(tokens.body.access_token, REPORTS_API);
    expect(payload.client_id).toBe(WEB_CLIENT_ID);
    expect(payload).not.toHaveProperty(ROLES_CLAIM);
  });

  it("refuses an API it does not know with invalid_target", async () => {
    const result = await authorize(t, { params: { audience: "https://evil.example/api" } });
    expect(result.callback.searchParams.get("error")).toBe("invalid_target");
    expect(result.callback.searchParams.has("code")).toBe(false);
  });

  it("refuses a request without PKCE", async () => {
    const url = new URL("/auth", t.issuer);
    url.search = new URLSearchParams({
      client_id: WEB_CLIENT_ID,
      response_type: "code",
      redirect_uri: `${t.settings.APP_URL}/api/auth/callback/claimtrip`,
      scope: "openid",
    }).toString();
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "", t.issuer);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("error_description")).toMatch(/PKCE/);
  });

  it("refuses a code exchanged with the wrong PKCE verifier", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const tokens = await exchangeCode(t, { ...result, verifier: `${result.verifier.slice(0, -4)}AAAA` });
    expect(tokens.status).toBe(400);
    expect(tokens.body.error).toBe("invalid_grant");
  });

  it("issues an opaque userinfo token when no API is named", async () => {
    const result = await authorize(t);
    const tokens = await exchangeCode(t, result);
    expect(String(tokens.body.access_token).split(".")).toHaveLength(1);
    const userinfo = await fetch(new URL("/me", t.issuer), {
      headers: { authorization: `Bearer ${String(tokens.body.access_token)}` },
    });
    expect(await userinfo.json()).toMatchObject({ sub: "alice", email: "alice@example.com" });
  });

  it("signs in once per browser session (SSO) and still checks the claim", async () => {
    const first = await authorize(t, { params: { audience: API } });
    const second = await authorize(t, { params: { audience: API } }, first.browser);
    expect(second.loginPage).toBeUndefined();
    const tokens = await exchangeCode(t, second);
    expect(decodeJwt(String(tokens.body.access_token))[ROLES_CLAIM]).toEqual(["admin"]);
  });
});

describe("claimtrip-cli, public client with a loopback redirect", () => {
  it("completes the code flow on any loopback port, without the roles claim", async () => {
    const redirectUri = `http://127.0.0.1:${49152 + Math.floor(Math.random() * 10000)}/callback`;
    const result = await authorize(t, { clientId: CLI_CLIENT_ID, redirectUri, params: { audience: API } });
    expect(result.callback.href.startsWith(redirectUri)).toBe(true);
    const tokens = await exchangeCode(t, result, "none", { client_id: CLI_CLIENT_ID });
    expect(tokens.status).toBe(200);
    expect(tokens.body.refresh_token).toEqual(expect.any(String));
    const { payload } = await verifyAccessToken(tokens.body.access_token, API);
    expect(payload.client_id).toBe(CLI_CLIENT_ID);
    expect(payload).not.toHaveProperty(ROLES_CLAIM);
    const id = await verifyIdToken(tokens.body.id_token, CLI_CLIENT_ID);
    expect(id.payload).not.toHaveProperty(ROLES_CLAIM);
  });

  it("refuses a loopback redirect with another path", async () => {
    const url = new URL("/auth", t.issuer);
    url.search = new URLSearchParams({
      client_id: CLI_CLIENT_ID,
      response_type: "code",
      redirect_uri: "http://127.0.0.1:5000/elsewhere",
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/redirect_uri/);
  });
});

describe("operations", () => {
  it("answers /healthz once the database answers", async () => {
    const response = await fetch(new URL("/healthz", t.issuer));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("never logs a token, a code or a password", async () => {
    const result = await authorize(t, { params: { audience: API }, password: "alice-password" });
    const code = result.callback.searchParams.get("code") ?? "";
    const tokens = await exchangeCode(t, result);
    const secrets = [
      code,
      result.verifier,
      "alice-password",
      tokens.body.access_token,
      tokens.body.refresh_token,
      tokens.body.id_token,
    ].map(String);
    expect(secrets.every((s) => s.length > 8)).toBe(true);
    const logged = JSON.stringify(t.logs);
    expect(t.logs.some((line) => line.msg === "tokens issued")).toBe(true);
    for (const secret of secrets) expect(logged).not.toContain(secret);
  });
});
