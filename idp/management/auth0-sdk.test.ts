/**
 * The Management API driven by Auth0's own Node SDK (`auth0` 7, its RolesClient and UsersClient
 * pointed at the IdP with `baseUrl`) and by the app's management client (lib/management/), on a
 * real IdP with a real client-credentials token: every call the admin pages make, plus
 * GET /users/{id} and GET /roles/{id}/users, and failures surfaced as the SDK's typed errors.
 * The SDK asks for `include_totals=true` by default and reads `{ roles: [...] }`: a bare array
 * would come back as an empty list, which is what these tests would catch.
 */
import { ManagementError, Management } from "auth0";
import { RolesClient } from "auth0/roles";
import { UsersClient } from "auth0/users";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createManagementClient } from "../../lib/management/client.ts";
import { MANAGEMENT_CLIENT_ID } from "../clients.ts";
import { setRoleNames } from "../roles.ts";
import {
  authorize,
  exchangeCode,
  MANAGEMENT_SECRET,
  managementTokenRequest,
  startTestIdp,
  tokenRequest,
  type TestIdp,
} from "../testing/harness.ts";

let t: TestIdp;
let roles: RolesClient;
let users: UsersClient;
let adminRoleId: string;

/** The SDK's options for this IdP: its Management API base URL and a token supplier. */
function sdkOptions(token: () => Promise<string>) {
  return { baseUrl: `${t.issuer}/api/v2`, token, maxRetries: 0 };
}

beforeAll(async () => {
  t = await startTestIdp();
  const issued = await managementTokenRequest(t, { audience: `${t.issuer}/api/v2/` });
  expect(issued.status).toBe(200);
  const token = String(issued.body.access_token);
  roles = new RolesClient(sdkOptions(async () => token));
  users = new UsersClient(sdkOptions(async () => token));
  adminRoleId = (await t.db.idpRole.findUniqueOrThrow({ where: { name: "admin" } })).id;
});
afterAll(() => t?.close());
beforeEach(async () => {
  await setRoleNames(t.db, "alice", ["admin"]);
  await setRoleNames(t.db, "bob", []);
});

describe("Auth0's Node SDK against the IdP", () => {
  it("lists roles (include_totals by default) and filters them by name", async () => {
    const page = await roles.list();
    expect(page.data).toEqual([{ id: adminRoleId, name: "admin", description: expect.any(String) }]);
    expect(page.response).toMatchObject({ start: 0, limit: 50, total: 1 });
    expect((await roles.list({ name_filter: "nobody" })).data).toEqual([]);
    const all: Management.Role[] = [];
    for await (const role of await roles.list({ per_page: 1 })) all.push(role);
    expect(all.map((role) => role.name)).toEqual(["admin"]);
  });

  it("lists users by page with totals and by q, as the admin page does", async () => {
    const page = await users.list({ page: 0, per_page: 1, include_totals: true });
    expect(page.data.map((user) => user.user_id)).toEqual(["alice"]);
    expect(page.response).toMatchObject({ start: 0, limit: 1, total: 2 });
    expect((await page.getNextPage()).data.map((user) => user.user_id)).toEqual(["bob"]);
    expect((await users.list({ q: 'email:"bob@example.com"' })).data.map((user) => user.email)).toEqual([
      "bob@example.com",
    ]);
  });

  it("reads a user", async () => {
    const { data } = await users.get("alice").withRawResponse();
    expect(data).toMatchObject({
      user_id: "alice",
      email: "alice@example.com",
      name: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
      app_metadata: { roles: ["admin"] },
    });
  });

  it("lists, assigns and removes a user's roles, and lists a role's users", async () => {
    expect((await users.roles.list("bob")).data).toEqual([]);
    await users.roles.assign("bob", { roles: [adminRoleId] });
    expect((await users.roles.list("bob")).data).toEqual([expect.objectContaining({ id: adminRoleId, name: "admin" })]);
    const holders: string[] = [];
    for await (const user of await roles.users.list(adminRoleId, { take: 1 })) holders.push(String(user.user_id));
    expect(holders).toEqual(["alice", "bob"]);
    await users.roles.delete("bob", { roles: [adminRoleId] });
    expect((await users.roles.list("bob")).data).toEqual([]);
    expect(t.logs.filter((line) => line.event === "management_change").slice(-2)).toEqual([
      expect.objectContaining({ action: "assign_roles", user_id: "bob", client_id: MANAGEMENT_CLIENT_ID }),
      expect.objectContaining({ action: "remove_roles", user_id: "bob" }),
    ]);
  });

  it("revokes a user's access: their refresh token stops working", async () => {
    const tokens = await exchangeCode(
      t,
      await authorize(t, {
        params: { audience: "http://localhost:3000/api" },
        email: "bob@example.com",
        password: "bob-password",
      }),
    );
    expect(tokens.status).toBe(200);
    await users.revokeAccess("bob");
    const refresh = await tokenRequest(t, {
      grant_type: "refresh_token",
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refresh.body.error).toBe("invalid_grant");
  });

  it("surfaces 404 as the SDK's NotFoundError, with Auth0's error body", async () => {
    for (const call of [
      () => users.get("nobody"),
      () => users.roles.list("nobody"),
      () => users.roles.assign("nobody", { roles: [adminRoleId] }),
      () => roles.users.list("rol_0123456789abcdef"),
    ]) {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Management.NotFoundError);
      expect(error).toMatchObject({
        statusCode: 404,
        body: { statusCode: 404, error: "Not Found", message: expect.any(String), errorCode: expect.any(String) },
      });
    }
  });

  it("surfaces 401 as the SDK's UnauthorizedError, for a token the IdP did not sign", async () => {
    const forged = new RolesClient(sdkOptions(async () => "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.x"));
    const error = await forged.list().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Management.UnauthorizedError);
    expect(error).toBeInstanceOf(ManagementError);
    expect((error as ManagementError).statusCode).toBe(401);
  });
});

describe("the app's management client against the same endpoints", () => {
  it("gets its own token (audience at the token endpoint) and makes every admin-page call", async () => {
    const client = createManagementClient({
      tokenEndpoint: async () => `${t.issuer}/token`,
      clientId: MANAGEMENT_CLIENT_ID,
      clientSecret: MANAGEMENT_SECRET,
      audience: `${t.issuer}/api/v2/`,
    });
    expect(await client.listUsers({ perPage: 1 })).toEqual({
      users: [expect.objectContaining({ user_id: "alice" })],
      total: 2,
    });
    expect(await client.listRoles()).toEqual([expect.objectContaining({ id: adminRoleId })]);
    await client.assignRoles("bob", [adminRoleId]);
    expect(await client.userRoles("bob")).toEqual([expect.objectContaining({ name: "admin" })]);
    await client.removeRoles("bob", [adminRoleId]);
    expect(await client.userRoles("bob")).toEqual([]);
    await client.revokeAccess("bob");
  });
});
