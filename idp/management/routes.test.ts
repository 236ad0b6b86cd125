/**
 * The Management API on a real IdP: client-credentials tokens for claimtrip-management, every
 * route's happy path, and its refusals (no token, wrong audience, expired, missing scope,
 * unknown user or role, bad body), answered in RFC 6750 or Auth0's error shape.
 */
import { decodeJwt, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ROLES_CLAIM } from "../../lib/shared/claims.ts";
import { MANAGEMENT_CLIENT_SCOPES } from "../clients.ts";
import { loadOrCreateKeys, SIGNING_ALG } from "../keys.ts";
import { setRoleNames } from "../roles.ts";
import { loginFormAction } from "../testing/browser.ts";
import {
  authorize,
  exchangeCode,
  managementTokenRequest,
  startTestIdp,
  tokenRequest,
  type TestIdp,
} from "../testing/harness.ts";

let t: TestIdp;
let audience: string;
let fullToken: string;
let adminRoleId: string;
const API = "http://localhost:3000/api";

beforeAll(async () => {
  t = await startTestIdp();
  audience = `${t.issuer}/api/v2/`;
  const issued = await managementTokenRequest(t, { audience });
  fullToken = String(issued.body.access_token);
  adminRoleId = (await t.db.idpRole.findUniqueOrThrow({ where: { name: "admin" } })).id;
});
afterAll(() => t?.close());
beforeEach(async () => {
  await setRoleNames(t.db, "alice", ["admin"]);
  await setRoleNames(t.db, "bob", []);
});

/** `token: null` sends no Authorization header; `scheme` replaces Bearer. */
async function call(method: string, path: string, token: string | null = fullToken, body?: unknown, scheme = "Bearer") {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `${scheme} ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(new URL(path, t.issuer), {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

async function tokenWithScope(scope: string): Promise<string> {
  const issued = await managementTokenRequest(t, { audience, scope });
  expect(issued.status).toBe(200);
  return String(issued.body.access_token);
}

/** A token signed by the IdP's own key, with these claims: for what the token endpoint never issues. */
async function forge(claims: Record<string, unknown>, typ = "at+jwt"): Promise<string> {
  const [signing] = await loadOrCreateKeys(t.settings.IDP_DATA_DIR);
  const key = await importJWK(signing!.jwk, SIGNING_ALG);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: t.issuer,
    aud: audience,
    sub: "claimtrip-management",
    iat: now - 120,
    exp: now + 60,
    client_id: "claimtrip-management",
    scope: MANAGEMENT_CLIENT_SCOPES.join(" "),
    ...claims,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, typ, kid: signing!.jwk.kid })
    .sign(key);
}

/** An RFC 6750 refusal; `bare` when the request brought no credentials (no error in the challenge, §3.1). */
function expectBearer(result: Awaited<ReturnType<typeof call>>, status: number, error: string, bare = false) {
  expect(result.status).toBe(status);
  expect(result.headers.get("www-authenticate")).toMatch(
    bare
      ? /^Bearer realm="Management API"$/
      : new RegExp(`^Bearer error="${error}", error_description="[^"]+", (scope="[^"]+", )?realm="Management API"$`),
  );
  expect(result.headers.get("cache-control")).toBe("no-store");
  expect(result.json).toEqual({ error, error_description: expect.any(String) });
  expect(result.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
}

describe("tokens for the Management API (client credentials)", () => {
  it("issues an RFC 9068 JWT for the audience with every registered scope when none is asked for", async () => {
    const claims = decodeJwt(fullToken);
    expect(claims).toMatchObject({
      iss: t.issuer,
      aud: audience,
      client_id: "claimtrip-management",
      sub: "claimtrip-management",
    });
    expect(String(claims.scope).split(" ").sort()).toEqual([...MANAGEMENT_CLIENT_SCOPES].sort());
    expect(claims).not.toHaveProperty(ROLES_CLAIM);
  });

  it("accepts resource as well as audience, and narrows to the scopes asked for", async () => {
    const issued = await managementTokenRequest(t, { resource: audience, scope: "read:users update:users" });
    expect(issued.status).toBe(200);
    expect(decodeJwt(String(issued.body.access_token)).scope).toBe("read:users update:users");
  });

  it("never grants a scope the registration does not list", async () => {
    const issued = await managementTokenRequest(t, { audience, scope: "read:users delete:users" });
    expect(decodeJwt(String(issued.body.access_token)).scope).toBe("read:users");
  });

  it("refuses a wrong secret, another API, and other clients", async () => {
    expect((await managementTokenRequest(t, { audience }, "wrong-secret-0123456789")).status).toBe(401);
    expect((await managementTokenRequest(t, { audience: API })).body.error).toBe("invalid_target");
    // claimtrip-web may not use this grant at all, nor name the Management API at sign-in.
    const web = await tokenRequest(t, { grant_type: "client_credentials", audience });
    expect(web.body).toMatchObject({
      error: "invalid_request",
      error_description: "requested grant type is not allowed for this client",
    });
    const signIn = await authorize(t, { params: { resource: audience } });
    expect(signIn.callback.searchParams.get("error")).toBe("invalid_target");
    const scoped = await authorize(t, { scope: "openid read:users" });
    expect(scoped.callback.searchParams.get("error")).toBe("invalid_scope");
  });
});

describe("refusals every route shares", () => {
  const routes = [
    ["GET", "/api/v2/roles"],
    ["GET", "/api/v2/users"],
    ["GET", "/api/v2/users/bob/roles"],
    ["POST", "/api/v2/users/bob/roles"],
    ["DELETE", "/api/v2/users/bob/roles"],
    ["POST", "/api/v2/users/bob/revoke-access"],
  ] as const;

  it.each(routes)(
    "%s %s: 401 without a token (a bare challenge) or with a malformed one; 400 for a malformed header or a token in the query string",
    async (method, path) => {
      expectBearer(await call(method, path, null), 401, "invalid_token", true);
      expectBearer(await call(method, path, fullToken, undefined, "Basic"), 401, "invalid_token", true);
      expectBearer(await call(method, path, "not-a-token"), 401, "invalid_token");
      expectBearer(await call(method, path, "not a token"), 400, "invalid_request");
      expectBearer(await call(method, `${path}?access_token=${fullToken}`, null), 400, "invalid_request");
    },
  );

  it.each(routes)("%s %s: 401 for the app API's token (wrong audience)", async (method, path) => {
    const tokens = await exchangeCode(t, await authorize(t, { params: { audience: API } }));
    expectBearer(await call(method, path, String(tokens.body.access_token)), 401, "invalid_token");
  });

  it.each(routes)(
    "%s %s: 401 for an expired token, an unsigned one, one for another audience or issuer, or not an access token",
    async (method, path) => {
      const now = Math.floor(Date.now() / 1000);
      expectBearer(await call(method, path, await forge({ exp: now - 60 })), 401, "invalid_token");
      expectBearer(await call(method, path, await forge({ aud: API })), 401, "invalid_token");
      expectBearer(await call(method, path, await forge({ iss: "http://evil.example" })), 401, "invalid_token");
      // Signed by the IdP and for this audience, but not an access token (an ID token's typ).
      expectBearer(await call(method, path, await forge({}, "JWT")), 401, "invalid_token");
      const unsigned = `${(await forge({})).split(".").slice(0, 2).join(".")}.`;
      expectBearer(await call(method, path, unsigned), 401, "invalid_token");
    },
  );

  it("a token from the honest issuer passes the same checks (the control)", async () => {
    expect((await call("GET", "/api/v2/roles", await forge({}))).status).toBe(200);
  });
});

describe("GET /api/v2/roles", () => {
  it("lists roles as { id, name, description }", async () => {
    const result = await call("GET", "/api/v2/roles");
    expect(result.status).toBe(200);
    expect(result.json).toEqual([{ id: adminRoleId, name: "admin", description: expect.any(String) }]);
    expect(adminRoleId).toMatch(/^rol_[A-Za-z0-9]{16}$/);
    expect((await call("GET", "/api/v2/roles?name_filter=nobody")).json).toEqual([]);
  });

  it("needs read:roles", async () => {
    expectBearer(await call("GET", "/api/v2/roles", await tokenWithScope("read:users")), 403, "insufficient_scope");
  });
});

describe("GET /api/v2/users", () => {
  it("pages users with user_id and email, and filters by email with q", async () => {
    const all = await call("GET", "/api/v2/users");
    expect(all.status).toBe(200);
    expect((all.json as { user_id: string; email: string }[]).map((u) => [u.user_id, u.email])).toEqual([
      ["alice", "alice@example.com"],
      ["bob", "bob@example.com"],
    ]);
    expect((await call("GET", "/api/v2/users?page=1&per_page=1")).json).toEqual([
      expect.objectContaining({ user_id: "bob" }),
    ]);
    expect((await call("GET", "/api/v2/users?page=1&per_page=1&include_totals=true")).json).toMatchObject({
      start: 1,
      limit: 1,
      length: 1,
      total: 2,
    });
    expect((await call("GET", `/api/v2/users?q=${encodeURIComponent('email:"Bob@Example.com"')}`)).json).toEqual([
      expect.objectContaining({ user_id: "bob" }),
    ]);
    expect((await call("GET", "/api/v2/users?q=alice")).json).toEqual([expect.objectContaining({ user_id: "alice" })]);
  });

  it("answers 400 for a bad page size, and needs read:users", async () => {
    const bad = await call("GET", "/api/v2/users?per_page=1000");
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ statusCode: 400, errorCode: "invalid_query_string" });
    expectBearer(await call("GET", "/api/v2/users", await tokenWithScope("read:roles")), 403, "insufficient_scope");
  });
});

describe("/api/v2/users/{id}/roles", () => {
  it("reads, assigns and removes roles; the next token the user gets says so", async () => {
    expect((await call("GET", "/api/v2/users/bob/roles")).json).toEqual([]);
    expect((await call("POST", "/api/v2/users/bob/roles", fullToken, { roles: [adminRoleId] })).status).toBe(204);
    expect((await call("GET", "/api/v2/users/bob/roles")).json).toEqual([
      expect.objectContaining({ id: adminRoleId, name: "admin" }),
    ]);
    const tokens = await exchangeCode(
      t,
      await authorize(t, { params: { audience: API }, email: "bob@example.com", password: "bob-password" }),
    );
    expect(decodeJwt(String(tokens.body.access_token))[ROLES_CLAIM]).toEqual(["admin"]);

    expect((await call("DELETE", "/api/v2/users/bob/roles", fullToken, { roles: [adminRoleId] })).status).toBe(204);
    expect((await call("GET", "/api/v2/users/bob/roles")).json).toEqual([]);
    const refreshed = await tokenRequest(t, {
      grant_type: "refresh_token",
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(decodeJwt(String(refreshed.body.access_token))[ROLES_CLAIM]).toEqual([]);
  });

  it("logs each change with the client, the action and the user", async () => {
    await call("POST", "/api/v2/users/bob/roles", fullToken, { roles: [adminRoleId] });
    expect(t.logs.filter((l) => l.event === "management_change").at(-1)).toMatchObject({
      client_id: "claimtrip-management",
      action: "assign_roles",
      user_id: "bob",
      roles: [adminRoleId],
    });
    expect(JSON.stringify(t.logs)).not.toContain(fullToken);
  });

  it("accepts create:role_members / delete:role_members instead of update:users", async () => {
    expect(
      (
        await call("POST", "/api/v2/users/bob/roles", await tokenWithScope("create:role_members"), {
          roles: [adminRoleId],
        })
      ).status,
    ).toBe(403);
    // Not in claimtrip-management's registration: such a token comes from another M2M client.
    const scoped = await forge({ scope: "create:role_members delete:role_members" });
    expect((await call("POST", "/api/v2/users/bob/roles", scoped, { roles: [adminRoleId] })).status).toBe(204);
    expect((await call("DELETE", "/api/v2/users/bob/roles", scoped, { roles: [adminRoleId] })).status).toBe(204);
  });

  it("needs read:roles to read and update:users to change", async () => {
    const readOnly = await tokenWithScope("read:users read:roles");
    const refused = await call("POST", "/api/v2/users/bob/roles", readOnly, { roles: [adminRoleId] });
    expectBearer(refused, 403, "insufficient_scope");
    // The challenge names the first of the scopes that would do (update:users, or create:role_members).
    expect(refused.headers.get("www-authenticate")).toMatch(/, scope="update:users", realm="Management API"$/);
    expectBearer(
      await call("DELETE", "/api/v2/users/bob/roles", readOnly, { roles: [adminRoleId] }),
      403,
      "insufficient_scope",
    );
    expectBearer(
      await call("GET", "/api/v2/users/bob/roles", await tokenWithScope("read:users")),
      403,
      "insufficient_scope",
    );
    expect((await call("GET", "/api/v2/users/bob/roles")).json).toEqual([]);
  });

  it.each([
    ["not JSON", "{roles:"],
    ["no roles", {}],
    ["an empty list", { roles: [] }],
    ["a role name instead of an id", { roles: ["admin"] }],
    ["a number", { roles: [42] }],
    ["an extra field", { roles: ["rol_0123456789abcdef"], admin: true }],
  ])("answers 400 with a JSON error for a body with %s", async (_name, body) => {
    for (const method of ["POST", "DELETE"]) {
      const result = await call(method, "/api/v2/users/bob/roles", fullToken, body);
      expect(result.status).toBe(400);
      expect(result.json).toEqual({
        statusCode: 400,
        error: "Bad Request",
        message: expect.any(String),
        errorCode: "invalid_body",
      });
      expect(result.text).not.toContain("{roles:");
    }
    expect((await call("GET", "/api/v2/users/bob/roles")).json).toEqual([]);
  });

  it("answers 404 for an unknown user or role", async () => {
    for (const path of ["/api/v2/users/nobody/roles", "/api/v2/users/%E0%A4%A/roles"]) {
      const read = await call("GET", path);
      expect(read.status).toBe(404);
      expect(read.json).toMatchObject({ statusCode: 404, errorCode: "inexistent_user" });
      expect((await call("POST", path, fullToken, { roles: [adminRoleId] })).status).toBe(404);
      expect((await call("DELETE", path, fullToken, { roles: [adminRoleId] })).status).toBe(404);
    }
    const role = await call("POST", "/api/v2/users/bob/roles", fullToken, { roles: ["rol_0123456789abcdef"] });
    expect(role.status).toBe(404);
    expect(role.json).toMatchObject({ errorCode: "inexistent_role" });
  });
});

describe("Auth0's list conventions, GET /api/v2/users/{id} and GET /api/v2/roles/{id}/users", () => {
  it("answers a bare array, or { <items>, start, limit, total } with include_totals, on every list", async () => {
    const roles = await call("GET", "/api/v2/roles?include_totals=true");
    expect(roles.json).toEqual({
      roles: [expect.objectContaining({ id: adminRoleId })],
      start: 0,
      limit: 50,
      total: 1,
    });
    expect((await call("GET", "/api/v2/roles?page=1&per_page=1&include_totals=true")).json).toEqual({
      roles: [],
      start: 1,
      limit: 1,
      total: 1,
    });
    expect((await call("GET", "/api/v2/users/alice/roles?include_totals=true")).json).toEqual({
      roles: [expect.objectContaining({ id: adminRoleId })],
      start: 0,
      limit: 50,
      total: 1,
    });
    expect((await call("GET", "/api/v2/users/alice/roles?page=1&per_page=1")).json).toEqual([]);
    expect((await call("GET", `/api/v2/roles/${adminRoleId}/users?include_totals=false`)).json).toEqual([
      { user_id: "alice", email: "alice@example.com", name: expect.any(String) },
    ]);
    for (const path of ["/api/v2/roles?per_page=0", "/api/v2/users/alice/roles?include_totals=yes"]) {
      expect((await call("GET", path)).json).toMatchObject({ statusCode: 400, errorCode: "invalid_query_string" });
    }
  });

  it("reads one user with Auth0's fields, roles as app_metadata.roles", async () => {
    const alice = await call("GET", "/api/v2/users/alice");
    expect(alice.status).toBe(200);
    expect(alice.json).toEqual({
      user_id: "alice",
      email: "alice@example.com",
      email_verified: true,
      name: expect.any(String),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      app_metadata: { roles: ["admin"] },
    });
    expect((await call("GET", "/api/v2/users/bob?fields=user_id,email")).json).toEqual({
      user_id: "bob",
      email: "bob@example.com",
    });
    expect(
      Object.keys((await call("GET", "/api/v2/users/bob?fields=app_metadata&include_fields=false")).json as object),
    ).not.toContain("app_metadata");
    const unknown = await call("GET", "/api/v2/users/nobody");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: expect.any(String),
      errorCode: "inexistent_user",
    });
    expectBearer(await call("GET", "/api/v2/users/bob", await tokenWithScope("read:roles")), 403, "insufficient_scope");
  });

  it("lists a role's users, by page or by checkpoint (from, take, next), and 404 for an unknown role", async () => {
    await setRoleNames(t.db, "bob", ["admin"]);
    const path = `/api/v2/roles/${adminRoleId}/users`;
    expect((await call("GET", `${path}?include_totals=true&per_page=1&page=1`)).json).toEqual({
      users: [{ user_id: "bob", email: "bob@example.com", name: expect.any(String) }],
      start: 1,
      limit: 1,
      total: 2,
    });
    const first = await call("GET", `${path}?take=1`);
    expect(first.json).toEqual({ users: [expect.objectContaining({ user_id: "alice" })], next: expect.any(String) });
    const next = (first.json as { next: string }).next;
    expect((await call("GET", `${path}?take=1&from=${next}`)).json).toEqual({
      users: [expect.objectContaining({ user_id: "bob" })],
    });
    const unknown = await call("GET", "/api/v2/roles/rol_0123456789abcdef/users");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ statusCode: 404, error: "Not Found", errorCode: "inexistent_role" });
    expectBearer(await call("GET", path, await tokenWithScope("read:roles")), 403, "insufficient_scope");
  });

  it("answers 501 in Auth0's shape for what it does not implement, after the token check", async () => {
    for (const [method, path] of [
      ["GET", "/api/v2/nothing"],
      ["POST", "/api/v2/roles"],
      ["PATCH", "/api/v2/users/alice"],
      ["GET", "/api/v2/users/alice/permissions"],
    ] as const) {
      const result = await call(method, path);
      expect(result.status).toBe(501);
      expect(result.json).toEqual({
        statusCode: 501,
        error: "Not Implemented",
        message: expect.stringContaining("docs/contract.md"),
        errorCode: "not_implemented",
      });
    }
    expect((await call("POST", "/api/v2/roles", null)).status).toBe(401);
  });
});

describe("POST /api/v2/users/{id}/revoke-access", () => {
  it("ends the user's IdP sessions and revokes their grants and refresh tokens", async () => {
    const login = await authorize(t, { params: { audience: API }, email: "bob@example.com", password: "bob-password" });
    const tokens = await exchangeCode(t, login);
    expect(tokens.status).toBe(200);
    const alice = await exchangeCode(t, await authorize(t, { params: { audience: API } }));

    const result = await call("POST", "/api/v2/users/bob/revoke-access", fullToken, {});
    expect(result.status).toBe(202);

    const refresh = await tokenRequest(t, {
      grant_type: "refresh_token",
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refresh.body.error).toBe("invalid_grant");
    // The IdP session is gone: the same browser is asked for the password again.
    const again = await login.browser.navigate(
      new URL(
        `/auth?client_id=claimtrip-web&response_type=code&scope=openid&redirect_uri=${encodeURIComponent("http://localhost:3000/api/auth/callback/claimtrip")}&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`,
        t.issuer,
      ),
    );
    expect(again.status).toBe(200);
    expect(loginFormAction(again)).toBeDefined();
    // Another user keeps theirs.
    const aliceRefresh = await tokenRequest(t, {
      grant_type: "refresh_token",
      refresh_token: String(alice.body.refresh_token),
    });
    expect(aliceRefresh.status).toBe(200);
    expect(t.logs.filter((l) => l.event === "management_change").at(-1)).toMatchObject({
      action: "revoke_access",
      user_id: "bob",
      sessions: expect.any(Number),
    });
  });

  it("needs delete:sessions and delete:refresh_tokens, and a known user", async () => {
    expectBearer(
      await call("POST", "/api/v2/users/bob/revoke-access", await tokenWithScope("delete:sessions")),
      403,
      "insufficient_scope",
    );
    expect((await call("POST", "/api/v2/users/nobody/revoke-access")).status).toBe(404);
  });

  it("answers 400 for options this IdP does not support, and revokes nothing", async () => {
    const tokens = await exchangeCode(
      t,
      await authorize(t, { params: { audience: API }, email: "bob@example.com", password: "bob-password" }),
    );
    const result = await call("POST", "/api/v2/users/bob/revoke-access", fullToken, { preserve_refresh_tokens: true });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ statusCode: 400, errorCode: "invalid_body" });
    const refresh = await tokenRequest(t, {
      grant_type: "refresh_token",
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refresh.status).toBe(200);
  });
});
