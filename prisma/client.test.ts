import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../scripts/migrate.ts";
import { createPrismaClient, databaseProvider, sqlitePath } from "./client.ts";

const dir = mkdtempSync(join(tmpdir(), "claimtrip-client-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createPrismaClient", () => {
  it("opens SQLite in WAL mode with synchronous = NORMAL, not a disk wait per commit", async () => {
    const url = `file:${join(dir, "wal.db")}`;
    await migrate(url);
    const db = createPrismaClient(url, { logErrors: false });
    try {
      // What a fresh client's very first query sees (the pragma is issued before it).
      const [sync] = await db.$queryRawUnsafe<{ synchronous: bigint }[]>("PRAGMA synchronous");
      const [journal] = await db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
      expect(journal?.journal_mode).toBe("wal");
      expect(Number(sync?.synchronous)).toBe(1); // 1 = NORMAL, 2 = FULL (SQLite's default)
    } finally {
      await db.$disconnect();
    }
  });

  it("tells the providers apart by the URL and refuses any other", () => {
    expect(databaseProvider("file:./x.db")).toBe("sqlite");
    expect(databaseProvider("postgresql://h/db")).toBe("postgresql");
    expect(databaseProvider("postgres://h/db")).toBe("postgresql");
    expect(databaseProvider("mysql://h/db")).toBeUndefined();
    expect(sqlitePath("file:///tmp/a.db")).toBe("/tmp/a.db");
    expect(() => createPrismaClient("mysql://h/db")).toThrow(/DATABASE_URL must start with file:/);
  });
});
