import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ADMIN_ROLE, ROLES_CLAIM } from "../shared/claims";
import {
  ServerError,
  authorizeToken,
  createAccessTokenVerifier,
  protect,
  readStringListClaim,
  requireClaimIncludes,
  type AccessTokenVerifier,
} from "./index";
import { startFakeOp, type FakeOp } from "../../test/fake-op";
import { AUDIENCE, OTHER_AUDIENCE, createTestKey, mintAccessToken, type TestKey } from "../../test/tokens";

let idp: FakeOp;
let key: TestKey;
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  key = await createTestKey();
  idp = await startFakeOp({ keys: [key] });
  verifier = createAccessTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE });
});
afterAll(() => idp.close());

const API = "http://localhost:3000/api";
const tokenFor = (roles: unknown, claims: Record<string, unknown> = {}) =>
  mintAccessToken(key, { issuer: idp.issuer, claims: { [ROLES_CLAIM]: roles, ...claims } });
const get = (path: string, token?: string, authorization = token && `Bearer ${token}`) =>
  new Request(`${API}${path}`, { headers: authorization ? { authorization } : {} });

/** What app/api/admin/route.ts looks like with this module. */
async function adminRoute(request: Request): Promise<Response> {
  const result = await protect(verifier, request, (token) => requireClaimIncludes(token, ROLES_CLAIM, ADMIN_ROLE));
  if (!result.ok) return result.response;
  return Response.json({
    sub: result.token.payload.sub,
    roles: readStringListClaim(result.token.payload, ROLES_CLAIM),
  });
}

describe("protect", () => {
  it("lets an admin's token through to the admin route", async () => {
    const response = await adminRoute(get("/admin", await tokenFor([ADMIN_ROLE])));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: "user-alice", roles: [ADMIN_ROLE] });
  });

  it("answers a valid token without the role with 403 insufficient_scope", async () => {
    const response = await adminRoute(get("/admin", await tokenFor([])));
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope"/);
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("answers no token, or another scheme, with 401 and a bare challenge (RFC 6750 §3.1)", async () => {
    for (const authorization of [undefined, "Basic YWxpY2U6cGFzc3dvcmQ="]) {
      const response = await adminRoute(get("/admin", undefined, authorization));
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toMatchObject({ error: "invalid_token" });
    }
  });

  it("answers a malformed or expired token with 401 invalid_token", async () => {
    for (const token of ["not-a-jwt", await tokenFor([ADMIN_ROLE], { exp: Math.floor(Date.now() / 1000) - 60 })]) {
      const response = await adminRoute(get("/admin", token));
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token", error_description="/);
    }
  });

  it("answers a token for the other API with 401, echoing nothing of it", async () => {
    const token = await tokenFor([ADMIN_ROLE], { aud: OTHER_AUDIENCE });
    const response = await adminRoute(get("/admin", token));
    const text = await response.text();
    expect(response.status).toBe(401);
    expect(JSON.parse(text)).toEqual({
      error: "invalid_token",
      error_description: "The access token is not valid for this API",
    });
    for (const part of token.split(".")) expect(text).not.toContain(part);
    expect(response.headers.get("www-authenticate")).not.toContain(token.split(".")[1]);
  });

  it("answers a token in the query string or a form body with 400, even beside a good header", async () => {
    const token = await tokenFor([ADMIN_ROLE]);
    const inQuery = await adminRoute(get(`/admin?access_token=${token}`, token));
    expect(inQuery.status).toBe(400);
    const inBody = await adminRoute(
      new Request(`${API}/admin`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
        body: `access_token=${token}`,
      }),
    );
    expect(inBody.status).toBe(400);
    expect(await inBody.json()).toMatchObject({ error: "invalid_request" });
  });

  it("turns a check that crashes into a generic 500, keeping the cause for the server's log", async () => {
    const result = await protect(verifier, get("/me", await tokenFor([])), () => {
      throw new Error("database is down");
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ServerError);
    expect((result.error.cause as Error).message).toBe("database is down");
    expect(result.response.status).toBe(500);
    expect(await result.response.text()).not.toContain("database");
  });

  it("adds the realm when asked", async () => {
    const result = await protect(verifier, get("/me"), undefined, { realm: "claimtrip" });
    expect(result.ok || result.response.headers.get("www-authenticate")).toBe('Bearer realm="claimtrip"');
    const invalid = await protect(verifier, get("/me", "not-a-jwt"), undefined, { realm: "claimtrip" });
    expect(invalid.ok || invalid.response.headers.get("www-authenticate")).toMatch(
      /^Bearer error="invalid_token", error_description="[^"]+", realm="claimtrip"$/,
    );
  });
});

describe("authorizeToken (protect's decision, for a token the server already holds)", () => {
  const isAdmin = (token: Parameters<typeof requireClaimIncludes>[0]) =>
    requireClaimIncludes(token, ROLES_CLAIM, ADMIN_ROLE);

  it("hands back the verified token when the check passes", async () => {
    const result = await authorizeToken(verifier, await tokenFor([ADMIN_ROLE]), isAdmin);
    expect(result.ok && result.token.payload.sub).toBe("user-alice");
  });

  it("refuses as protect does: 403 for a missing role, 401 for a bad token, 500 for a crashing check", async () => {
    const noRole = await authorizeToken(verifier, await tokenFor([]), isAdmin);
    expect(noRole.ok || [noRole.error.status, noRole.error.code]).toEqual([403, "insufficient_scope"]);

    const forged = await authorizeToken(verifier, `${await tokenFor([ADMIN_ROLE])}x`, isAdmin);
    expect(forged.ok || [forged.error.status, forged.error.code]).toEqual([401, "invalid_token"]);

    const crashed = await authorizeToken(verifier, await tokenFor([ADMIN_ROLE]), () => {
      throw new Error("database is down");
    });
    expect(crashed.ok || crashed.error).toBeInstanceOf(ServerError);
  });
});
