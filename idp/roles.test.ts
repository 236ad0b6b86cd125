/**
 * Roles as rows: ids in Auth0's shape, assignments, and the move of roles an older version kept
 * in app_metadata.roles (which the post-login action no longer reads) to assignments.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserDirectory } from "./account.ts";
import { migrateAppMetadataRoles, newRoleId, ROLE_ID, setRoleNames, userRoles } from "./roles.ts";
import { seedUsers } from "./seed.ts";
import { startTestIdp, type TestIdp } from "./testing/harness.ts";

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(() => t?.close());

describe("roles", () => {
  it("makes ids like Auth0's: rol_ and 16 letters or digits, all different", () => {
    const ids = Array.from({ length: 200 }, newRoleId);
    for (const id of ids) expect(id).toMatch(ROLE_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("seeds admin, assigned to alice and not to bob, and the directory reads the names", async () => {
    const directory = createUserDirectory(t.db);
    expect((await directory.findById("alice"))?.roles).toEqual(["admin"]);
    expect((await directory.findById("bob"))?.roles).toEqual([]);
    expect((await t.db.idpRole.findMany()).map((r) => r.name)).toEqual(["admin"]);
  });

  it("moves app_metadata.roles to assignments, keeps the rest of app_metadata, and does it once", async () => {
    await setRoleNames(t.db, "bob", []);
    await t.db.idpUser.update({
      where: { id: "bob" },
      data: { appMetadata: JSON.stringify({ roles: ["admin", "auditor"], plan: "pro" }) },
    });
    expect(await migrateAppMetadataRoles(t.db)).toBe(1);
    expect((await userRoles(t.db, "bob")).map((r) => r.name)).toEqual(["admin", "auditor"]);
    expect(JSON.parse((await t.db.idpUser.findUniqueOrThrow({ where: { id: "bob" } })).appMetadata)).toEqual({
      plan: "pro",
    });
    expect(await migrateAppMetadataRoles(t.db)).toBe(0);
    await setRoleNames(t.db, "bob", []);
  });

  it("restores the demo users' roles with --reset", async () => {
    await setRoleNames(t.db, "bob", ["admin"]);
    await setRoleNames(t.db, "alice", []);
    await seedUsers(t.db, { reset: true });
    expect((await userRoles(t.db, "alice")).map((r) => r.name)).toEqual(["admin"]);
    expect(await userRoles(t.db, "bob")).toEqual([]);
  });
});
