/**
 * The admin role always keeps a holder, however it is removed, on SQLite and on PostgreSQL (when
 * one answers on 127.0.0.1:5432): directly (idp/roles.ts), all or nothing; through the seed CLI;
 * through the Management API (409 in Auth0's error shape, management.test below); and when two
 * admins remove each other at the same moment from two IdP processes, one admin remains.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dropPostgresDatabase, freshPostgresDatabase } from "../test/postgres.ts";
import { createPrismaClient, type Database } from "../prisma/client.ts";
import { migrate } from "../scripts/migrate.ts";
import { ensureRole, LastAdminError, removeRoles, setRoleNames, userRoles } from "./roles.ts";
import { seedUsers } from "./seed.ts";
import {
  MANAGEMENT_SECRET,
  managementTokenRequest,
  startTestIdp,
  WEB_SECRET,
  type TestIdp,
} from "./testing/harness.ts";

const ROOT = join(import.meta.dirname, "..");

const dir = mkdtempSync(join(tmpdir(), "claimtrip-last-admin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backends: [string, () => Promise<string | undefined>][] = [
  ["SQLite", async () => `file:${join(dir, "idp.db")}`],
  ["PostgreSQL", () => freshPostgresDatabase(`claimtrip_last_admin_${process.pid}`)],
];

/** Another IdP process that removes `userId`'s admin role when told to (idp/testing/remove-admin-process.ts). */
function removerProcess(url: string, userId: string) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", join(ROOT, "idp/testing/remove-admin-process.ts"), url, userId],
    { cwd: ROOT },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => String((await lines.next()).value ?? "");
  return { child, next };
}

describe.each(backends)("the last admin on %s", (_name, makeUrl) => {
  let url: string | undefined;
  let db: Database;
  let adminId: string;

  beforeAll(async () => {
    url = await makeUrl();
    if (!url) return;
    await migrate(url);
    db = createPrismaClient(url, { logErrors: false });
    await seedUsers(db);
    adminId = (await db.idpRole.findUniqueOrThrow({ where: { name: "admin" } })).id;
  });

  afterAll(async () => {
    if (!url) return;
    await db.$disconnect();
    await dropPostgresDatabase(url);
  });

  beforeEach(async ({ skip }) => {
    if (!url) skip("no PostgreSQL at 127.0.0.1:5432");
    await setRoleNames(db, "alice", ["admin"]);
    await setRoleNames(db, "bob", []);
  });

  const names = async (userId: string) => (await userRoles(db, userId)).map((role) => role.name);

  it("refuses to take the admin role from its last holder, and changes nothing else either", async () => {
    const auditor = await ensureRole(db, "auditor");
    await setRoleNames(db, "alice", ["admin", "auditor"]);
    await expect(removeRoles(db, "alice", [adminId, auditor.id])).rejects.toBeInstanceOf(LastAdminError);
    expect(await names("alice")).toEqual(["admin", "auditor"]);
    await expect(setRoleNames(db, "alice", [])).rejects.toBeInstanceOf(LastAdminError);
    expect(await names("alice")).toEqual(["admin", "auditor"]);
    // Other roles go as before; so does the admin role while another admin remains.
    await removeRoles(db, "alice", [auditor.id]);
    await setRoleNames(db, "bob", ["admin"]);
    await removeRoles(db, "alice", [adminId]);
    expect(await names("alice")).toEqual([]);
    await expect(setRoleNames(db, "bob", [])).rejects.toBeInstanceOf(LastAdminError);
    // Removing a role nobody holds stays a no-op, even with one admin left.
    await removeRoles(db, "alice", [adminId]);
    await setRoleNames(db, "alice", ["admin"]);
  });

  it("two admins removing each other at the same moment, from two IdP processes, leave one admin", async () => {
    await setRoleNames(db, "bob", ["admin"]);
    const byAlice = removerProcess(url ?? "", "bob");
    const byBob = removerProcess(url ?? "", "alice");
    try {
      expect(await Promise.all([byAlice.next(), byBob.next()])).toEqual(["ready", "ready"]);
      byAlice.child.stdin.write("go\n");
      byBob.child.stdin.write("go\n");
      const outcomes = await Promise.all([byAlice.next(), byBob.next()]);
      expect(outcomes.sort()).toEqual(["refused", "removed"]);
    } finally {
      byAlice.child.kill();
      byBob.child.kill();
    }
    const holders = await db.idpUserRole.findMany({ where: { roleId: adminId } });
    expect(holders).toHaveLength(1);
  });

  it("the second of two overlapping removals waits for the first and then sees one admin (PostgreSQL)", async ({
    skip,
  }) => {
    if (!url?.startsWith("postgresql:")) skip("SQLite has one writer at a time: the test above covers it");
    await setRoleNames(db, "bob", ["admin"]);
    // Two more IdP instances (their own connection pools), and a third party holding the admin
    // role's row, as a removal in flight does: both removals must queue behind it, each having
    // seen two admins had they read first.
    const one = createPrismaClient(url ?? "", { logErrors: false });
    const two = createPrismaClient(url ?? "", { logErrors: false });
    const holder = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url }); // outside any transaction: live pg_stat_activity
    await holder.connect();
    await watcher.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`UPDATE "idp_roles" SET "name" = "name" WHERE "name" = 'admin'`);
      const settled = { count: 0 };
      const removals = [removeRoles(one, "alice", [adminId]), removeRoles(two, "bob", [adminId])].map((p) =>
        p
          .then(
            () => "removed",
            (error: unknown) => (error instanceof LastAdminError ? "refused" : `error ${String(error)}`),
          )
          .finally(() => {
            settled.count += 1;
          }),
      );
      // Wait until both wait on the lock (or, without one, both are done: then the test fails below).
      for (;;) {
        const { rows } = await watcher.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        if (Number(rows[0]?.n) >= 2 || settled.count === 2) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await holder.query("COMMIT");
      expect((await Promise.all(removals)).sort()).toEqual(["refused", "removed"]);
    } finally {
      await holder.end();
      await watcher.end();
      await one.$disconnect();
      await two.$disconnect();
    }
    expect(await db.idpUserRole.count({ where: { roleId: adminId } })).toBe(1);
  });

  it("the seed CLI refuses with a clear line and a non-zero exit, and changes nothing", async () => {
    const run = promisify(execFile);
    const failure = await run(
      process.execPath,
      ["--experimental-strip-types", "--no-warnings", "idp/cli.ts", "roles", "alice@example.com"],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: "development",
          DATABASE_URL: url,
          IDP_WEB_CLIENT_SECRET: WEB_SECRET,
          IDP_MANAGEMENT_CLIENT_SECRET: MANAGEMENT_SECRET,
          IDP_COOKIE_KEYS: "test-cookie-key-0123456789abcdef",
          IDP_DATA_DIR: dir,
        },
      },
    ).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr?.trim()).toBe(
      "Refused, nothing changed: alice@example.com is the last admin. The admin role cannot be removed from its last holder: make another user admin first.",
    );
    expect(await names("alice")).toEqual(["admin"]);
  });
});

describe("the Management API", () => {
  let t: TestIdp;
  beforeAll(async () => {
    t = await startTestIdp();
  });
  afterAll(() => t?.close());

  it("answers 409 in Auth0's error shape for the last admin, and removes the role while another admin remains", async () => {
    const token = String((await managementTokenRequest(t, { audience: `${t.issuer}/api/v2/` })).body.access_token);
    const adminId = (await t.db.idpRole.findUniqueOrThrow({ where: { name: "admin" } })).id;
    const remove = (userId: string) =>
      fetch(new URL(`/api/v2/users/${userId}/roles`, t.issuer), {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ roles: [adminId] }),
      });
    const refused = await remove("alice");
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      statusCode: 409,
      error: "Conflict",
      message: "The admin role cannot be removed from its last holder: make another user admin first.",
      errorCode: "last_admin",
    });
    expect((await userRoles(t.db, "alice")).map((r) => r.name)).toEqual(["admin"]);
    expect(t.logs.some((line) => line.msg === "last admin kept")).toBe(true);

    await setRoleNames(t.db, "bob", ["admin"]);
    const [first, second] = await Promise.all([remove("alice"), remove("bob")]);
    expect([first.status, second.status].sort()).toEqual([204, 409]);
    expect(await t.db.idpUserRole.count({ where: { roleId: adminId } })).toBe(1);
  });
});
