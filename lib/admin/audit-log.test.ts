/**
 * The audit log's table refuses changes and deletions on SQLite and PostgreSQL (when one answers
 * on 127.0.0.1:5432), through the project's own migrations: append-only is not only a habit of
 * lib/admin/audit.ts. A refusal is an error, never a silent "0 rows changed"; on PostgreSQL
 * TRUNCATE is refused too, and the README's restricted database role is tried for real.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropPostgresDatabase, freshPostgresDatabase } from "../../test/postgres";
import { createPrismaClient, type Database } from "../../prisma/client.ts";
import { migrate } from "../../scripts/migrate.ts";

const dir = mkdtempSync(join(tmpdir(), "claimtrip-audit-"));
const backends: [string, () => Promise<string | undefined>][] = [
  ["SQLite", async () => `file:${join(dir, "app.db")}`],
  ["PostgreSQL", () => freshPostgresDatabase(`claimtrip_audit_test_${process.pid}`)],
];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(backends)("the audit log on %s", (_name, makeUrl) => {
  let url: string | undefined;
  let db: Database;

  beforeAll(async () => {
    url = await makeUrl();
    if (!url) return;
    await migrate(url);
    db = createPrismaClient(url, { logErrors: false });
  });

  afterAll(async () => {
    if (!url) return;
    await db.$disconnect();
    await dropPostgresDatabase(url);
  });

  const entry = () =>
    db.auditEvent.create({
      data: {
        actorSub: "alice",
        targetSub: "bob",
        action: "assign_admin",
        rolesBefore: "[]",
        rolesAfter: '["admin"]',
        outcome: "done",
      },
    });

  it("has its refusing triggers in place after migrate deploy, and no silent rules", async ({ skip }) => {
    if (!url) skip("no PostgreSQL at 127.0.0.1:5432");
    if (url?.startsWith("file:")) {
      const rows = await db.$queryRawUnsafe<{ name: string; sql: string }[]>(
        `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'AuditEvent' ORDER BY name`,
      );
      expect(rows.map((row) => row.name)).toEqual(["AuditEvent_no_delete", "AuditEvent_no_update"]);
      for (const row of rows) expect(row.sql).toMatch(/RAISE\(ABORT/);
    } else {
      const triggers = await db.$queryRawUnsafe<{ tgname: string; tgtype: number }[]>(
        `SELECT tgname, tgtype::int AS tgtype FROM pg_trigger WHERE tgrelid = '"AuditEvent"'::regclass AND NOT tgisinternal`,
      );
      expect(triggers.map((t) => t.tgname)).toEqual(["AuditEvent_append_only"]);
      // tgtype bits: BEFORE (2), DELETE (8), UPDATE (16), TRUNCATE (32); not ROW (1).
      expect((triggers[0]?.tgtype ?? 0) & 0b111011).toBe(2 | 8 | 16 | 32);
      const rules = await db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM pg_rules WHERE tablename = 'AuditEvent'`);
      expect(rules).toEqual([]);
    }
  });

  it("takes new entries, and refuses with an error to change, delete or truncate them", async ({ skip }) => {
    if (!url) skip("no PostgreSQL at 127.0.0.1:5432");
    const kept = await entry();
    const attempts = [
      () => db.auditEvent.update({ where: { id: kept.id }, data: { outcome: "refused" } }),
      () => db.auditEvent.deleteMany({}),
      () => db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`),
      () => db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "outcome" = 'refused'`),
    ];
    if (url?.startsWith("postgresql:")) {
      // Statement-level on PostgreSQL: refused even when no row matches, and TRUNCATE as well.
      attempts.push(
        () => db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`),
        () => db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE false`),
      );
    }
    for (const attempt of attempts) {
      const error: unknown = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      // The database's own words: Prisma keeps them in the message, or (SQLite triggers) in meta.
      expect(`${String(error)} ${JSON.stringify((error as { meta?: unknown } | undefined)?.meta)}`).toMatch(
        /the audit log is append-only/,
      );
    }
    expect(await db.auditEvent.findUniqueOrThrow({ where: { id: kept.id } })).toMatchObject({
      outcome: "done",
      actorSub: "alice",
    });
    expect(await db.auditEvent.count()).toBe(1);
  });

  it("runs with a role that may only INSERT and SELECT on the log (README's SQL), which cannot even try more", async ({
    skip,
  }) => {
    if (!url?.startsWith("postgresql:")) skip("PostgreSQL roles");
    const role = `claimtrip_app_${process.pid}`;
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      await owner.query(`DROP ROLE IF EXISTS ${role}`);
      await owner.query(`CREATE ROLE ${role} LOGIN`);
      await owner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
      await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
      await owner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "AuditEvent" FROM ${role}`);
      const restricted = new URL(url ?? "");
      restricted.username = role;
      const app = createPrismaClient(restricted.toString(), { logErrors: false });
      try {
        const created = await app.auditEvent.create({
          data: { actorSub: "alice", targetSub: "bob", action: "revoke_access", outcome: "done" },
        });
        expect(await app.auditEvent.findUnique({ where: { id: created.id } })).not.toBeNull();
        await expect(app.$executeRawUnsafe(`UPDATE "AuditEvent" SET "outcome" = 'x'`)).rejects.toThrow(
          /permission denied/,
        );
        await expect(app.$executeRawUnsafe(`DELETE FROM "AuditEvent"`)).rejects.toThrow(/permission denied/);
        // The rest of the app's tables stay writable.
        expect(await app.logoutTokenJti.deleteMany({})).toEqual({ count: 0 });
      } finally {
        await app.$disconnect();
      }
    } finally {
      await owner.query(`DROP OWNED BY ${role}`);
      await owner.query(`DROP ROLE IF EXISTS ${role}`);
      await owner.end();
    }
  });
});
