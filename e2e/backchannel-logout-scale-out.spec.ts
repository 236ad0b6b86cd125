/**
 * Back-Channel Logout with two app instances behind one public URL, sharing one PostgreSQL
 * database: the IdP's logout token reaches instance A; bob's next request, served by instance B,
 * is signed out. The spec starts its own IdP and both instances (ports from e2e/settings.ts
 * SCALE_OUT, the commands from e2e/support/scale-out.ts) on a database of its own, created and
 * dropped here; without a PostgreSQL at 127.0.0.1:5432 it is skipped.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ACCESS_TOKEN_TTL_SECONDS, bob, OUTPUT_DIR, REFRESH_SKEW_SECONDS, SCALE_OUT } from "./settings";
import { createSpecDatabase, NO_POSTGRES, postgresAnswers } from "./support/postgres";
import { signInAt, signOutAtIdp, startScaleOut } from "./support/scale-out";
import type { SpecServer } from "./support/servers";
import { recordStaleness, secondsUntilSignedOut } from "./support/staleness";

const { instanceA, instanceB, idp } = SCALE_OUT;

/** Signs bob in at instance A (the public URL) and opens his dashboard on instance B. */
async function signInAtAThenOpenB(page: Page): Promise<void> {
  await signInAt(page, instanceA, idp, bob);
  // Cookies are per host, not per port: the browser's session cookie opens instance B too.
  await page.goto(`${instanceB}/dashboard`);
  await expect(page).toHaveURL(`${instanceB}/dashboard`);
  await expect(page.getByTestId("signed-in-as")).toHaveText(bob.shownAs);
}

/** The IdP's log lines of this spec's IdP, parsed. */
function idpLog(): { msg?: string; reason?: string; attempt?: number; client_id?: string }[] {
  return readFileSync(join(OUTPUT_DIR, "scale-out-idp.log"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg?: string });
}

test.describe("two app instances sharing PostgreSQL", () => {
  test.skip(!postgresAnswers, NO_POSTGRES);
  test.describe.configure({ timeout: 300_000 });

  const servers: SpecServer[] = [];
  let database: Awaited<ReturnType<typeof createSpecDatabase>> | undefined;

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    database = await createSpecDatabase("claimtrip_e2e_scale_out");
    // Every instance gets the same settings, as behind a load balancer: one public URL (A's).
    const env: Record<string, string> = {
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      APP_URL: instanceA,
      API_AUDIENCE: `${instanceA}/api`,
      AUTH_ISSUER: idp,
      IDP_ISSUER: idp,
      IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL_SECONDS),
      AUTH_REFRESH_SKEW: String(REFRESH_SKEW_SECONDS),
      LOG_LEVEL: "info",
    };
    servers.push(
      ...(await startScaleOut(env, { name: "scale-out-idp", url: idp }, [
        { name: "scale-out-app-a", id: "a", url: instanceA },
        { name: "scale-out-app-b", id: "b", url: instanceB },
      ])),
    );
  });

  test.afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await database?.drop().catch(() => undefined);
  });

  test("the logout token reaches instance A; bob's next request on instance B is signed out", async ({ page }) => {
    await signInAtAThenOpenB(page);
    const started = await signOutAtIdp(page, idp);
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

    await signOutAtIdp(page, idp);
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
