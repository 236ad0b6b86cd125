/**
 * No token anywhere the browser can see. The app keeps access, refresh and ID tokens
 * in its database; the browser gets one opaque, HttpOnly session cookie and decoded claims.
 * The tokens the app actually holds (read from the run's database) are the needles searched for.
 */
import type { Page } from "@playwright/test";
import { expect, signInThroughIdp, test } from "./fixtures";
import { alice, APP_URL } from "./settings";
import { heldTokens, type HeldToken } from "./support/database";

/** Something shaped like a JWT or JWS (header and payload are base64url JSON). */
const JWT_SHAPE = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\./;

const PAGES = ["/", "/dashboard", "/tokens", "/admin"] as const;

/** Each token, and for a JWT its signature alone: either would leak it. */
function needles(tokens: HeldToken[]): { label: string; text: string }[] {
  return tokens.flatMap(({ name, value }) => {
    const signature = value.split(".")[2];
    const whole = { label: `alice's ${name}`, text: value };
    return signature && signature.length >= 16
      ? [whole, { label: `the signature of alice's ${name}`, text: signature }]
      : [whole];
  });
}

function expectNoToken(where: string, text: string, tokens: HeldToken[]): void {
  for (const needle of needles(tokens)) {
    expect(text.includes(needle.text), `${where} contains ${needle.label}`).toBe(false);
  }
  expect(text, `${where} contains something shaped like a JWT`).not.toMatch(JWT_SHAPE);
}

/** What scripts on the app's origin could read from web storage. */
async function webStorage(page: Page): Promise<string> {
  return page.evaluate(() => {
    const dump = (storage: Storage) => Object.fromEntries(Object.entries(storage));
    return JSON.stringify({ local: dump(localStorage), session: dump(sessionStorage) });
  });
}

test("pages, the session endpoint, cookies and web storage hold no token", async ({ adminPage }) => {
  const context = adminPage.context();
  const seen: [where: string, text: string][] = [];
  const heldBefore = heldTokens(alice.email);

  for (const path of PAGES) {
    // Whatever the page answers (the admin page may refuse), what it sends is searched.
    const response = await adminPage.goto(path);
    expect(response?.status(), `${path} answers`).toBeLessThan(500);
    seen.push([`the rendered page ${path}`, await adminPage.content()]);
    seen.push([`web storage after ${path}`, await webStorage(adminPage)]);
    // What the server sent, and the React Server Components payload a client navigation fetches.
    seen.push([`the HTML of ${path}`, await (await context.request.get(path)).text()]);
    seen.push([
      `the RSC payload of ${path}`,
      await (await context.request.get(path, { headers: { RSC: "1" } })).text(),
    ]);
  }

  const session = await context.request.get("/api/auth/session");
  expect(session.ok()).toBe(true);
  const sessionJson = (await session.json()) as { user?: Record<string, unknown>; expires?: unknown };
  expect(Object.keys(sessionJson).sort()).toEqual(["expires", "user"]);
  expect(Object.keys(sessionJson.user ?? {}).every((key) => ["id", "name", "email"].includes(key))).toBe(true);
  expect(sessionJson.user?.email).toBe(alice.email);
  seen.push(["/api/auth/session", JSON.stringify(sessionJson)]);

  const cookies = await context.cookies();
  const sessionCookie = cookies.find((cookie) => /authjs\.session-token$/.test(cookie.name));
  expect(sessionCookie, "the app's session cookie").toBeDefined();
  expect(sessionCookie?.httpOnly).toBe(true);
  seen.push(["cookies", JSON.stringify(cookies)]);
  seen.push(["saved storage state", JSON.stringify(await context.storageState())]);

  // Read before and after the visits: a refresh in between would have rotated them.
  const heldAfter = heldTokens(alice.email);
  expect(
    heldAfter.map((t) => t.name),
    "the app holds alice's tokens",
  ).toEqual(["access token", "refresh token", "ID token"]);
  const tokens = [...heldBefore, ...heldAfter];
  for (const [where, text] of seen) expectNoToken(where, text, tokens);
});

test("a fresh sign-in sends no token to the browser on the way", async ({ page }) => {
  const traffic: Promise<[string, string]>[] = [];
  page.context().on("response", (response) => {
    traffic.push(
      (async () => {
        const request = response.request();
        const parts = [request.url(), JSON.stringify(await request.allHeaders()), request.postData() ?? ""];
        parts.push(JSON.stringify(await response.allHeaders()));
        const redirect = response.status() >= 300 && response.status() < 400;
        if (!redirect) parts.push(await response.text().catch(() => ""));
        return [`${request.method()} ${request.url()}`, parts.join("\n")];
      })(),
    );
  });

  await signInThroughIdp(page, alice);
  await page.goto("/tokens");
  await expect(page.getByTestId("access-token-claims")).toBeVisible();

  const tokens = heldTokens(alice.email);
  expect(
    tokens.map((t) => t.name),
    "the app holds alice's tokens",
  ).toEqual(["access token", "refresh token", "ID token"]);
  const exchanges = await Promise.all(traffic);
  expect(exchanges.some(([where]) => where.startsWith(`GET ${APP_URL}/api/auth/callback/`))).toBe(true);
  for (const [where, text] of exchanges) expectNoToken(where, text, tokens);
});
