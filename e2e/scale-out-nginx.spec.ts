/**
 * The README's "Scale out", end to end: nginx (deploy/nginx/nginx.conf, round-robin, no sticky
 * sessions) in front of two app instances started with `npm run start:app -- --port N`, one
 * `npm run start:idp`, one PostgreSQL database. Through nginx only: sign-in, both instances serve
 * the session (the x-claimtrip-instance header names them), 50 requests at once after the access
 * token expired make exactly one refresh (counted in the IdP's own records), sign-out, and the
 * IdP's back-channel logout reaches the sessions both instances read.
 *
 * Skipped, with the reason, without nginx or without a PostgreSQL at 127.0.0.1:5432.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ACCESS_TOKEN_TTL_SECONDS, alice, bob, OUTPUT_DIR, REFRESH_SKEW_SECONDS, SCALE_OUT } from "./settings";
import { findNginx, startNginx } from "./support/nginx";
import { createSpecDatabase, NO_POSTGRES, postgresAnswers } from "./support/postgres";
import { signInAt, signOutAtIdp, startScaleOut } from "./support/scale-out";
import type { SpecServer } from "./support/servers";
import { secondsUntilSignedOut } from "./support/staleness";

const { instanceA, instanceB, idp, loadBalancer: publicUrl } = SCALE_OUT;
const nginx = findNginx();
const INSTANCE = "x-claimtrip-instance";
const NO_NGINX = "nginx is not installed (Debian: apt-get install nginx): the scale-out test behind nginx is skipped";
// Said in the output too: a skipped test's reason is easy to miss in the list of results.
for (const [missing, reason] of [
  [!nginx, NO_NGINX],
  [!postgresAnswers, NO_POSTGRES],
] as const)
  if (missing) console.log(`scale-out-nginx.spec.ts: ${reason}`);

/** What `/api/auth/session` answered through nginx, `times` requests in a row, and who answered. */
async function sessions(request: APIRequestContext, times: number) {
  const answers: { instance: string | null; email: string | null }[] = [];
  for (let i = 0; i < times; i++) {
    const response = await request.get(`${publicUrl}/api/auth/session`);
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { user?: { email?: string } } | null;
    answers.push({ instance: response.headers()[INSTANCE] ?? null, email: body?.user?.email ?? null });
  }
  return answers;
}

const instancesOf = (answers: { instance: string | null }[]) => [...new Set(answers.map((a) => a.instance))].sort();

/** The app's log lines of both instances, parsed. */
function appLog(): { msg?: string; ended?: number; instance?: string }[] {
  return ["scale-lb-app-a", "scale-lb-app-b"].flatMap((name) =>
    readFileSync(join(OUTPUT_DIR, `${name}.log`), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg?: string }),
  );
}

test.describe("two app instances behind nginx, on PostgreSQL", () => {
  test.skip(
    !nginx,
    "nginx is not installed (Debian: apt-get install nginx): the scale-out test behind nginx is skipped",
  );
  test.skip(!postgresAnswers, NO_POSTGRES);
  test.describe.configure({ mode: "serial", timeout: 300_000 });

  const servers: SpecServer[] = [];
  let database: Awaited<ReturnType<typeof createSpecDatabase>> | undefined;

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    database = await createSpecDatabase("claimtrip_e2e_scale_lb");
    // The settings every instance shares (README, "Scale out"); only the port (and INSTANCE_ID) differ.
    const env: Record<string, string> = {
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      APP_URL: publicUrl,
      API_AUDIENCE: `${publicUrl}/api`,
      AUTH_ISSUER: idp,
      IDP_ISSUER: idp,
      IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL_SECONDS),
      AUTH_REFRESH_SKEW: String(REFRESH_SKEW_SECONDS),
      LOG_LEVEL: "info",
    };
    servers.push(
      ...(await startScaleOut(env, { name: "scale-lb-idp", url: idp }, [
        { name: "scale-lb-app-a", id: "a", url: instanceA },
        { name: "scale-lb-app-b", id: "b", url: instanceB },
      ])),
    );
    const ports: [number, number] = [Number(new URL(instanceA).port), Number(new URL(instanceB).port)];
    servers.unshift(await startNginx(nginx!, publicUrl, ports, "scale-lb-nginx"));
  });

  test.afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop().catch(() => undefined);
  });

  test("sign-in through nginx, the session on both instances, one refresh for 50 requests at once, sign-out", async ({
    page,
    context,
  }) => {
    test.setTimeout((ACCESS_TOKEN_TTL_SECONDS + 120) * 1000);
    await signInAt(page, publicUrl, idp, alice);
    const signedIn = Date.now();
    await expect(page.getByTestId("api-roles")).toContainText('"admin"');

    // Round-robin, no stickiness: one browser's requests in a row reach both instances, and both know her.
    const answers = await sessions(context.request, 6);
    expect(instancesOf(answers)).toEqual(["a", "b"]);
    for (const answer of answers) expect(answer.email).toBe(alice.email);

    const refreshes = () =>
      database!.query<{ grantId: string; issued: string; consumed: string }>(
        `SELECT "grantId", COUNT(*) AS issued, COUNT("consumedAt") AS consumed
           FROM idp_oidc_models WHERE kind = 'RefreshToken' GROUP BY "grantId"`,
      );
    const [grant, ...others] = await refreshes();
    expect(others, "one grant: alice's").toEqual([]);
    expect(grant).toMatchObject({ issued: "1", consumed: "0" });

    // Let the access token expire (it was issued before the sign-in ended). Nothing calls the app meanwhile.
    await new Promise((resolve) =>
      setTimeout(resolve, signedIn + ACCESS_TOKEN_TTL_SECONDS * 1000 + 1_500 - Date.now()),
    );

    // 50 dashboards at once, each needing a fresh access token for its call to the API (itself through nginx).
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => context.request.get(`${publicUrl}/dashboard`)),
    );
    for (const response of responses) {
      expect(response.url(), "not sent to sign in again").toBe(`${publicUrl}/dashboard`);
      expect(response.status()).toBe(200);
      expect(await response.text()).toMatch(/data-testid="api-roles"[\s\S]*?admin/);
    }
    expect(instancesOf(responses.map((r) => ({ instance: r.headers()[INSTANCE] ?? null })))).toEqual(["a", "b"]);
    expect(await refreshes(), "the IdP saw exactly one refresh of the grant").toEqual([
      { grantId: grant!.grantId, issued: "2", consumed: "1" },
    ]);

    // Sign-out through nginx: neither instance knows the session any more.
    await page.goto(`${publicUrl}/dashboard`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(async () => {
      const confirm = page.getByRole("button", { name: "Sign out" });
      if (new URL(page.url()).origin === idp && (await confirm.isVisible())) await confirm.click();
      expect(page.url()).toBe(`${publicUrl}/`);
    }).toPass({ timeout: 15_000 });
    const after = await sessions(context.request, 4);
    expect(instancesOf(after)).toEqual(["a", "b"]);
    for (const answer of after) expect(answer.email).toBeNull();
  });

  test("the IdP's back-channel logout, delivered through nginx to one instance, signs bob out on both", async ({
    page,
    context,
  }) => {
    await signInAt(page, publicUrl, idp, bob);
    const before = await sessions(context.request, 4);
    expect(instancesOf(before)).toEqual(["a", "b"]);
    for (const answer of before) expect(answer.email).toBe(bob.email);

    const started = await signOutAtIdp(page, idp);
    await secondsUntilSignedOut(page, publicUrl, started);
    const after = await sessions(context.request, 4);
    expect(instancesOf(after)).toEqual(["a", "b"]);
    for (const answer of after) expect(answer.email).toBeNull();
    // The logout token reached an instance (through nginx), which ended bob's session there for both.
    const delivered = appLog().filter((line) => line.msg === "back-channel logout: app sessions ended" && line.ended);
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    expect(["a", "b"]).toContain(delivered.at(-1)!.instance);
  });
});
