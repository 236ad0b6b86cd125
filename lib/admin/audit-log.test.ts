/**
 * The audit log's table refuses changes and deletions on SQLite and PostgreSQL (when one answers
 * on 127.0.0.1:5432), through the project's own migrations: append-only is not only a habit of
 * lib/admin/audit.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type Database } from "../../prisma/client.ts";
import { migrate } from "../../scripts/migrate.ts";

const ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
const PG_NAME = `claimtrip_audit_test_${process.pid}`;

async function postgresUrl(): Promise<string | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 1000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  await admin.query(`DROP DATABASE IF EXISTS "${PG_NAME}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${PG_NAME}"`);
  await admin.end();
  return `postgresql://postgres@127.0.0.1:5432/${PG_NAME}`;
}

const dir = mkdtempSync(join(tmpdir(), "claimtrip-audit-"));
const backends: [string, () => Promise<string | undefined>][] = [
  ["SQLite", async () => `file:${join(dir, "app.db")}`],
  ["PostgreSQL", postgresUrl],
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
    if (url.startsWith("postgresql:")) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${PG_NAME}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it("takes new entries, and refuses to change or delete them", async ({ skip }) => {
    if (!url) skip("no PostgreSQL at 127.0.0.1:5432");
    const entry = await db.auditEvent.create({
      data: {
        actorSub: "alice",
        targetSub: "bob",
        action: "assign_admin",
        rolesBefore: "[]",
        rolesAfter: '["admin"]',
        outcome: "done",
      },
    });
    // SQLite aborts the statement; PostgreSQL turns it into nothing (a rule). Either way the entry stays.
    await db.auditEvent.update({ where: { id: entry.id }, data: { outcome: "refused" } }).catch(() => undefined);
    await db.auditEvent.deleteMany({}).catch(() => undefined);
    await db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`).catch(() => undefined);
    expect(await db.auditEvent.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({
      outcome: "done",
      actorSub: "alice",
    });
    expect(await db.auditEvent.count()).toBe(1);
  });
});
