import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../prisma/client.ts";
import { migrate } from "../scripts/migrate.ts";
import { createPrismaAdapter, sweepExpired } from "./adapter.ts";
import type { Database } from "./db.ts";

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "claimtrip-adapter-"));
  const url = `file:${join(dir, "test.db")}`;
  await migrate(url);
  db = createPrismaClient(url, { logErrors: false });
});
afterAll(async () => {
  await db?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe("Prisma adapter", () => {
  it("stores, updates and finds a model instance by id, per model", async () => {
    const tokens = createPrismaAdapter(db)("RefreshToken");
    await tokens.upsert("rt1", { jti: "rt1", grantId: "g1", scope: "openid" }, 60);
    expect(await tokens.find("rt1")).toEqual({ jti: "rt1", grantId: "g1", scope: "openid" });
    await tokens.upsert("rt1", { jti: "rt1", grantId: "g1", scope: "openid offline_access" }, 60);
    expect((await tokens.find("rt1"))?.scope).toBe("openid offline_access");
    expect(await createPrismaAdapter(db)("AccessToken").find("rt1")).toBeUndefined();
  });

  it("hides expired instances and sweeps them", async () => {
    const codes = createPrismaAdapter(db)("AuthorizationCode");
    await codes.upsert("old", { jti: "old" }, 60);
    await db.idpOidcModel.update({
      where: { kind_id: { kind: "AuthorizationCode", id: "old" } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await codes.find("old")).toBeUndefined();
    expect(await sweepExpired(db)).toBeGreaterThanOrEqual(1);
    expect(await db.idpOidcModel.count({ where: { id: "old" } })).toBe(0);
  });

  it("marks consumed instances with the time of consumption", async () => {
    const codes = createPrismaAdapter(db)("AuthorizationCode");
    await codes.upsert("c1", { jti: "c1" }, 60);
    await codes.consume("c1");
    expect((await codes.find("c1"))?.consumed).toEqual(expect.any(Number));
  });

  it("finds sessions by uid and device codes by user code", async () => {
    const sessions = createPrismaAdapter(db)("Session");
    await sessions.upsert("s1", { jti: "s1", uid: "u1" }, 60);
    expect((await sessions.findByUid("u1"))?.jti).toBe("s1");
    const devices = createPrismaAdapter(db)("DeviceCode");
    await devices.upsert("d1", { jti: "d1", userCode: "ABCD" }, 60);
    expect((await devices.findByUserCode("ABCD"))?.jti).toBe("d1");
  });

  it("revokes every token of a grant and nothing else", async () => {
    const adapter = createPrismaAdapter(db);
    await adapter("AccessToken").upsert("at", { jti: "at", grantId: "g2" }, 60);
    await adapter("RefreshToken").upsert("rt", { jti: "rt", grantId: "g2" }, 60);
    await adapter("RefreshToken").upsert("other", { jti: "other", grantId: "g3" }, 60);
    await adapter("Interaction").upsert("i", { jti: "i", grantId: "g2" }, 60);
    await adapter("RefreshToken").revokeByGrantId("g2");
    expect(await adapter("AccessToken").find("at")).toBeUndefined();
    expect(await adapter("RefreshToken").find("rt")).toBeUndefined();
    expect(await adapter("RefreshToken").find("other")).toBeDefined();
    expect(await adapter("Interaction").find("i")).toBeDefined();
  });

  it("destroys by id", async () => {
    const grants = createPrismaAdapter(db)("Grant");
    await grants.upsert("g", { jti: "g" }, undefined);
    await grants.destroy("g");
    expect(await grants.find("g")).toBeUndefined();
  });

  it("knows no clients beyond the configured ones", async () => {
    expect(await createPrismaAdapter(db)("Client").find("claimtrip-web")).toBeUndefined();
  });
});
