/**
 * Refresh tokens: always rotated, a reused one treated as theft (the grant and every token of
 * it revoked), and claims recomputed from the user directory at every refresh.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES_CLAIM } from "../lib/shared/claims.ts";
import { CLI_CLIENT_ID } from "./clients.ts";
import { REPORTS_API } from "./resources.ts";
import { setRoles } from "./seed.ts";
import { authorize, exchangeCode, startTestIdp, tokenRequest, WEB_SECRET, type TestIdp } from "./testing/harness.ts";

let t: TestIdp;
const API = "http://localhost:3000/api";

beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(() => t?.close());

async function signIn(
  email = "alice@example.com",
  password = "alice-password",
  params: Record<string, string> = { audience: API },
) {
  const result = await authorize(t, { email, password, params });
  const tokens = await exchangeCode(t, result);
  expect(tokens.status).toBe(200);
  return tokens.body;
}

/** Makes the IdP's storage slow to save `kind` rows, until `restore()`. */
function slowUpserts(kind: string, ms: number): { restore(): void } {
  type Upsert = (args: { where: { kind_id?: { kind: string } } }) => Promise<unknown>;
  const model = t.db.idpOidcModel as unknown as { upsert: Upsert };
  const original = model.upsert;
  model.upsert = async (args) => {
    if (args.where.kind_id?.kind === kind) await new Promise((resolve) => setTimeout(resolve, ms));
    return original.call(model, args);
  };
  return { restore: () => void (model.upsert = original) };
}

const refresh = (refreshToken: unknown, extra: Record<string, string> = {}) =>
  tokenRequest(t, { grant_type: "refresh_token", refresh_token: String(refreshToken), ...extra });

describe("refresh token rotation", () => {
  it("returns a new refresh token and a fresh access token for the same API every time", async () => {
    const first = await signIn();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).toEqual(expect.any(String));
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    const before = decodeJwt(String(first.access_token));
    const after = decodeJwt(String(second.body.access_token));
    expect(after.aud).toBe(API);
    expect(after.jti).not.toBe(before.jti);
    expect(after[ROLES_CLAIM]).toEqual(["admin"]);
    expect(second.body.id_token).toEqual(expect.any(String));
  });

  it("treats a reused refresh token as theft: refused, and the newest one dies with the grant", async () => {
    const first = await signIn();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);

    const replay = await refresh(first.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");

    const newest = await refresh(second.body.refresh_token);
    expect(newest.status).toBe(400);
    expect(newest.body.error).toBe("invalid_grant");
    expect(t.logs.some((line) => line.level === "warn" && /refresh token reuse detected/.test(line.msg))).toBe(true);
  });

  it("takes back a rotation whose answer never reached the client: its one retry is not theft", async () => {
    const first = await signIn();
    // The IdP is slow to store the new refresh token; the client gives up before the answer.
    const slowed = slowUpserts("RefreshToken", 500);
    const basic = `Basic ${Buffer.from(`claimtrip-web:${WEB_SECRET}`).toString("base64")}`;
    const gaveUp = fetch(new URL("/token", t.issuer), {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: String(first.refresh_token) }),
      signal: AbortSignal.timeout(150),
    });
    await expect(gaveUp).rejects.toThrow();
    await expect
      .poll(() => t.logs.some((line) => line.msg === "refresh answer not delivered; rotation taken back"), {
        timeout: 5_000,
      })
      .toBe(true);
    slowed.restore();

    const retry = await refresh(first.refresh_token);
    expect(retry.status).toBe(200);
    expect((await refresh(retry.body.refresh_token)).status).toBe(200);
    // An answer that was delivered is never taken back: using its predecessor again is theft.
    expect((await refresh(first.refresh_token)).body.error).toBe("invalid_grant");
  });

  it("rotates the public client's refresh tokens too", async () => {
    const redirectUri = "http://127.0.0.1:61234/callback";
    const result = await authorize(t, { clientId: CLI_CLIENT_ID, redirectUri, params: { resource: API } });
    const tokens = await exchangeCode(t, result, "none", { client_id: CLI_CLIENT_ID });
    const rotated = await tokenRequest(
      t,
      { grant_type: "refresh_token", refresh_token: String(tokens.body.refresh_token), client_id: CLI_CLIENT_ID },
      "none",
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(tokens.body.refresh_token);
    expect(decodeJwt(String(rotated.body.access_token))).not.toHaveProperty(ROLES_CLAIM);
  });
});

describe("claims at refresh", () => {
  it("shows a role granted in the directory in the next refreshed token, and its removal", async () => {
    const first = await signIn("bob@example.com", "bob-password");
    expect(decodeJwt(String(first.access_token))[ROLES_CLAIM]).toEqual([]);

    await setRoles(t.db, "bob@example.com", ["admin"]);
    const promoted = await refresh(first.refresh_token);
    expect(decodeJwt(String(promoted.body.access_token))[ROLES_CLAIM]).toEqual(["admin"]);

    await setRoles(t.db, "bob@example.com", []);
    const demoted = await refresh(promoted.body.refresh_token);
    expect(decodeJwt(String(demoted.body.access_token))[ROLES_CLAIM]).toEqual([]);
  });
});

describe("choosing the API at the token endpoint", () => {
  it("accepts audience (and resource) naming an API the login granted", async () => {
    const tokens = await signIn(undefined, undefined, { resource: API });
    const viaAudience = await refresh(tokens.refresh_token, { audience: API });
    expect(viaAudience.status).toBe(200);
    expect(decodeJwt(String(viaAudience.body.access_token)).aud).toBe(API);
    const viaResource = await refresh(viaAudience.body.refresh_token, { resource: API });
    expect(viaResource.status).toBe(200);
  });

  it("refuses an API the login did not grant with invalid_target", async () => {
    const tokens = await signIn();
    const other = await refresh(tokens.refresh_token, { audience: REPORTS_API });
    expect(other.status).toBe(400);
    expect(other.body.error).toBe("invalid_target");
  });
});

describe("a restart", () => {
  it("keeps signing keys, sessions and refresh tokens", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const tokens = await exchangeCode(t, result);
    const kidBefore = decodeProtectedHeader(String(tokens.body.access_token)).kid;

    await t.restart();

    const refreshed = await refresh(tokens.body.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(decodeProtectedHeader(String(refreshed.body.access_token)).kid).toBe(kidBefore);
    // The browser's IdP session survived too: no login page the second time.
    const again = await authorize(t, { params: { audience: API } }, result.browser);
    expect(again.loginPage).toBeUndefined();
  });
});

describe("getting and giving up refresh tokens", () => {
  it("issues one with prompt=login too (first-party offline access needs no consent screen)", async () => {
    const first = await authorize(t, { params: { audience: API } });
    const again = await authorize(t, { params: { audience: API, prompt: "login" } }, first.browser);
    expect(again.loginPage).toBeDefined();
    const tokens = await exchangeCode(t, again);
    expect(tokens.body.refresh_token).toEqual(expect.any(String));
  });

  it("issues none without offline_access", async () => {
    const result = await authorize(t, { scope: "openid profile email", params: { audience: API } });
    const tokens = await exchangeCode(t, result);
    expect(tokens.status).toBe(200);
    expect(tokens.body).not.toHaveProperty("refresh_token");
  });

  it("revokes a refresh token at the revocation endpoint", async () => {
    const tokens = await signIn();
    const response = await fetch(new URL("/token/revocation", t.issuer), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`claimtrip-web:${t.settings.IDP_WEB_CLIENT_SECRET}`).toString("base64")}`,
      },
      body: new URLSearchParams({ token: String(tokens.refresh_token), token_type_hint: "refresh_token" }).toString(),
    });
    expect(response.status).toBe(200);
    expect((await refresh(tokens.refresh_token)).body.error).toBe("invalid_grant");
  });
});
