/**
 * A deployed IdP (production, not on loopback) does not start while a demo user still has the
 * password the README publishes: anyone could sign in as alice, the admin.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPrismaClient } from "../prisma/client.ts";
import { migrate } from "../scripts/migrate.ts";
import { createIdp } from "./app.ts";
import type { Database } from "./db.ts";
import { parseSettings, SettingsError } from "./env.ts";
import { createLogger } from "./logger.ts";
import { seedUsers, setPassword } from "./seed.ts";
import { ACCESS_TOKEN_TYPE, CONTRAST_TARGETS_FIELD, TOKEN_EXCHANGE_GRANT } from "../lib/shared/contrast.ts";

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "claimtrip-idp-production-"));
  const url = `file:${join(dir, "idp.db")}`;
  await migrate(url);
  db = createPrismaClient(url, { logErrors: false });
  await seedUsers(db);
});
afterAll(async () => {
  await db?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (issuer: string) =>
  parseSettings({
    NODE_ENV: "production",
    IDP_ISSUER: issuer,
    APP_URL: "https://app.example.com",
    IDP_DATA_DIR: dir,
    IDP_WEB_CLIENT_SECRET: "p".repeat(40),
    IDP_COOKIE_KEYS: "q".repeat(40),
  });
const start = (issuer: string) => createIdp({ settings: settings(issuer), db, logger: createLogger("silent") });

it("refuses to start deployed while the demo users keep their published passwords, naming them", async () => {
  await expect(start("https://id.example.com")).rejects.toThrow(SettingsError);
  await expect(start("https://id.example.com")).rejects.toThrow(
    /^Refusing to start in production: alice@example\.com, bob@example\.com still have the demo password/,
  );
});

it("starts on localhost with them (npm start on a laptop), and deployed once they are changed", async () => {
  const local = await start("http://localhost:4000");
  await local.close();

  await setPassword(db, "alice@example.com", "a new and long password for alice");
  await expect(start("https://id.example.com")).rejects.toThrow(/bob@example\.com still has the demo password/);
  await setPassword(db, "bob@example.com", "a new and long password for bob");
  const deployed = await start("https://id.example.com");
  await deployed.close();
});

it("offers no token exchange once deployed: not advertised, and refused at the token endpoint", async () => {
  // The demo passwords were changed by the test above.
  const deployed = await start("https://id.example.com");
  const server = createServer((req, res) => void deployed.callback(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const discovery = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.grant_types_supported).not.toContain(TOKEN_EXCHANGE_GRANT);
    expect(discovery).not.toHaveProperty(CONTRAST_TARGETS_FIELD);
    const response = await fetch(`${base}/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`claimtrip-web:${"p".repeat(40)}`).toString("base64")}`,
      },
      body: new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: "x",
        subject_token_type: ACCESS_TOKEN_TYPE,
      }).toString(),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("unsupported_grant_type");
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await deployed.close();
  }
});
