/**
 * The role-change limiter on SQLite and PostgreSQL (when one answers on 127.0.0.1:5432): the
 * limit per admin and window, and that it holds across app instances (two clients of one
 * database) when many attempts arrive at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropPostgresDatabase, freshPostgresDatabase } from "../../test/postgres";
import { createPrismaClient, type Database } from "../../prisma/client.ts";
import { migrate } from "../../scripts/migrate.ts";
import { createAttemptCounter } from "./rate-limit";

const dir = mkdtempSync(join(tmpdir(), "claimtrip-admin-limit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ["SQLite", async () => `file:${join(dir, "app.db")}`],
  ["PostgreSQL", () => freshPostgresDatabase(`claimtrip_admin_limit_${process.pid}`)],
] as const)("role-change attempts on %s", (_name, makeUrl) => {
  let url: string | undefined;
  let one: Database;
  let two: Database;

  beforeAll(async () => {
    url = await makeUrl();
    if (!url) return;
    await migrate(url);
    one = createPrismaClient(url, { logErrors: false });
    two = createPrismaClient(url, { logErrors: false });
  });

  afterAll(async () => {
    if (!url) return;
    await one.$disconnect();
    await two.$disconnect();
    await dropPostgresDatabase(url);
  });

  it("allows the limit per admin and window, then refuses until the next window", async ({ skip }) => {
    if (!url) skip("no PostgreSQL at 127.0.0.1:5432");
    const count = createAttemptCounter(one, { attempts: 3, windowSeconds: 60 });
    const start = 1_800_000_000_000;
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await count("alice", start + i * 1000));
    expect(results).toEqual([true, true, true, false]);
    expect(await count("carol", start), "another admin counts apart").toBe(true);
    expect(await count("alice", start + 60_000), "the next window starts afresh").toBe(true);
  });

  it("holds across two app instances under 30 attempts at once: exactly the limit goes through", async ({ skip }) => {
    if (!url) skip("no PostgreSQL at 127.0.0.1:5432");
    const limit = { attempts: 10, windowSeconds: 60 };
    const [a, b] = [createAttemptCounter(one, limit), createAttemptCounter(two, limit)];
    const now = 1_900_000_000_000;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b)("dave", now)));
    expect(results.filter(Boolean)).toHaveLength(10);
  });
});
