/**
 * serverSession(): the session a request's cookie names, read from the database with Auth.js's
 * rules for database sessions (unknown, expired, sliding expiry), and the row id it belongs to.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createPrismaClient, type Database } from "../../prisma/client";
import { migrate } from "../../scripts/migrate";

/** What next/headers' cookies() answers in each test. */
const jar = new Map<string, string>();
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined) }),
}));

const HOUR = 60 * 60 * 1000;
const url = `file:${join(mkdtempSync(join(tmpdir(), "claimtrip-server-session-")), "app.db")}`;
let db: Database;
let userId: string;
let serverSession: typeof import("./index").serverSession;

beforeAll(async () => {
  await migrate(url);
  db = createPrismaClient(url, { logErrors: false });
  vi.stubEnv("NODE_ENV", "test");
  vi.stubEnv("DATABASE_URL", url);
  vi.stubEnv("APP_URL", "http://localhost:3000");
  vi.stubEnv("AUTH_SECRET", "server-session-test-secret-0123456789abc");
  vi.stubEnv("AUTH_CLIENT_SECRET", "server-session-client-secret");
  vi.stubEnv("LOG_LEVEL", "silent");
  vi.resetModules();
  delete (globalThis as { claimtripDb?: unknown }).claimtripDb;
  ({ serverSession } = await import("./index"));
  userId = (await db.user.create({ data: { email: "bob@example.com", name: "Bob" } })).id;
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await db.$disconnect();
});

beforeEach(async () => {
  jar.clear();
  await db.session.deleteMany();
});

async function sessionExpiringIn(ms: number, token = `token-${Math.random()}`) {
  const row = await db.session.create({ data: { sessionToken: token, userId, expires: new Date(Date.now() + ms) } });
  jar.set("authjs.session-token", token);
  return row;
}

describe("serverSession", () => {
  it("is null without the cookie, and for a token no session has", async () => {
    expect(await serverSession()).toBeNull();
    jar.set("authjs.session-token", "nobody-has-this");
    expect(await serverSession()).toBeNull();
  });

  it("gives the session's row id and its user, and reads no other cookie name", async () => {
    const row = await sessionExpiringIn(8 * HOUR);
    expect(await serverSession()).toEqual({
      sessionId: row.id,
      user: { id: userId, name: "Bob", email: "bob@example.com" },
    });
    jar.clear();
    jar.set("__Host-authjs.session-token", row.sessionToken); // the https name, on an http app
    expect(await serverSession()).toBeNull();
  });

  it("deletes an expired session and answers null", async () => {
    const row = await sessionExpiringIn(-1000);
    expect(await serverSession()).toBeNull();
    expect(await db.session.findUnique({ where: { id: row.id } })).toBeNull();
  });

  it("slides the expiry forward once 15 minutes of it are used, not before", async () => {
    const fresh = await sessionExpiringIn(8 * HOUR - 60_000); // used for 1 minute
    await serverSession();
    expect((await db.session.findUniqueOrThrow({ where: { id: fresh.id } })).expires).toEqual(fresh.expires);

    const used = await sessionExpiringIn(7 * HOUR); // used for an hour
    const before = Date.now();
    expect((await serverSession())?.sessionId).toBe(used.id);
    const slid = (await db.session.findUniqueOrThrow({ where: { id: used.id } })).expires.getTime();
    expect(slid).toBeGreaterThanOrEqual(before + 8 * HOUR);
    expect(slid).toBeLessThanOrEqual(Date.now() + 8 * HOUR);
  });
});
