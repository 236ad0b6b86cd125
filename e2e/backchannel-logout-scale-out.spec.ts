/**
 * Back-Channel Logout with two app instances behind one public URL, sharing one PostgreSQL
 * database: the IdP's logout token reaches instance A; bob's next request, served by instance B,
 * is signed out. The spec starts its own IdP and both instances (ports from e2e/settings.ts
 * SCALE_OUT) on a database of its own, created and dropped here; without a PostgreSQL at
 * 127.0.0.1:5432 it is skipped.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Page } from "@playwright/test";
import pg from "pg";
import { expect, test } from "./fixtures";
import { IdpLoginPage } from "./pages/idp-login";
import { ACCESS_TOKEN_TTL_SECONDS, bob, OUTPUT_DIR, REFRESH_SKEW_SECONDS, SCALE_OUT } from "./settings";
import { startServer, type SpecServer } from "./support/servers";
import { recordStaleness, secondsUntilSignedOut } from "./support/staleness";

const ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
const DATABASE = `claimtrip_e2e_scale_out_${process.pid}_${Date.now()}`;
const { instanceA, instanceB, idp } = SCALE_OUT;

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const postgresAnswers = await admin(async () => true).catch(() => false);

/** Signs bob in at instance A (the public URL) and opens his dashboard on instance B. */
async function signInAtAThenOpenB(page: Page): Promise<void> {
  await page.goto(`${instanceA}/`);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await new IdpLoginPage(page, idp).signIn(bob);
  await expect(page).toHaveURL(`${instanceA}/dashboard`);
  // Cookies are per host, not per port: the browser's session cookie opens instance B too.
  await page.goto(`${instanceB}/dashboard`);
  await expect(page).toHaveURL(`${instanceB}/dashboard`);
  await expect(page.getByTestId("signed-in-as")).toHaveText(bob.shownAs);
}

/** bob signs out at the IdP's end-session endpoint in another tab; returns when he clicked. */
async function signOutAtIdp(page: Page): Promise<number> {
  const idpTab = await page.context().newPage();
  await idpTab.goto(`${idp}/session/end`);
  const clicked = Date.now();
  await idpTab.getByRole("button", { name: "Sign out" }).click();
  // The IdP answers its own request whether or not the app heard it.
  await expect(idpTab).toHaveURL(new RegExp(`^${idp}/session/end/success`));
  return clicked;
}

/** The IdP's log lines of this spec's IdP, parsed. */
function idpLog(): { msg?: string; reason?: string; attempt?: number; client_id?: string }[] {
  return readFileSync(join(OUTPUT_DIR, "scale-out-idp.log"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg?: string });
}

test.describe("two app instances sharing PostgreSQL", () => {
  test.skip(
    !postgresAnswers,
    "no PostgreSQL answers at 127.0.0.1:5432 (user postgres): start one to run the scale-out test",
  );
  test.describe.configure({ timeout: 300_000 });

  const servers: SpecServer[] = [];

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    await admin((client) => client.query(`CREATE DATABASE "${DATABASE}"`));
    // Every instance gets the same settings, as behind a load balancer: one public URL (A's).
    const env: Record<string, string> = {
      NODE_ENV: "production",
      DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${DATABASE}`,
      APP_URL: instanceA,
      API_AUDIENCE: `${instanceA}/api`,
      AUTH_ISSUER: idp,
      IDP_ISSUER: idp,
      IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL_SECONDS),
      AUTH_REFRESH_SKEW: String(REFRESH_SKEW_SECONDS),
      LOG_LEVEL: "info",
    };
    await promisify(execFile)("node_modules/.bin/tsx", ["scripts/setup.ts"], { env: { ...process.env, ...env } });
    servers.push(
      await startServer(
        "scale-out-idp",
        ["node_modules/.bin/tsx", "idp/server.ts"],
        env,
        `${idp}/.well-known/openid-configuration`,
      ),
    );
    const next = (url: string) => ["node_modules/.bin/next", "start", "-p", new URL(url).port];
    servers.push(await startServer("scale-out-app-a", next(instanceA), env, `${instanceA}/api/health`));
    servers.push(await startServer("scale-out-app-b", next(instanceB), env, `${instanceB}/api/health`));
  });

  test.afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`)).catch(() => undefined);
  });

  test("the logout token reaches instance A; bob's next request on instance B is signed out", async ({ page }) => {
    await signInAtAThenOpenB(page);
    const started = await signOutAtIdp(page);
    const seconds = await secondsUntilSignedOut(page, instanceB, started);
    recordStaleness("IdP sign-out, token delivered to instance A, request served by instance B", seconds);
    expect(seconds).toBeLessThan(5);
  });

  // Last: it stops instance A.
  test("with the app down at the IdP's URL, the IdP still answers, logs the failed delivery and will retry", async ({
    page,
  }) => {
    await signInAtAThenOpenB(page);
    await servers.find((server) => server.name === "scale-out-app-a")!.stop();

    await signOutAtIdp(page);
    await expect
      .poll(() => idpLog().find((line) => line.msg === "back-channel logout not delivered; will retry"), {
        timeout: 10_000,
      })
      .toMatchObject({ client_id: "claimtrip-web", attempt: 1, reason: "ECONNREFUSED" });
    // Nobody told the app yet: instance B still knows bob's session (until a retry gets through).
    // (The landing page: the dashboard would call the API at the public URL, instance A, now down.)
    await page.goto(`${instanceB}/`);
    await expect(page.getByTestId("signed-in-as")).toHaveText(bob.shownAs);
  });
});
