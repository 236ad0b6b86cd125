/**
 * Open redirects through the sign-in: a `callbackUrl` (Auth.js) or `returnTo` (the app's sign-in
 * form) that names another site never sends the browser there. Only paths on the app survive
 * (lib/auth/return-path.ts, used as Auth.js's redirect callback).
 */
import { expect, test } from "./fixtures";
import { IdpLoginPage } from "./pages/idp-login";
import { alice, APP_URL } from "./settings";

const EVIL = "https://evil.example";

const HOSTILE = [
  `${EVIL}/steal`,
  "//evil.example/steal",
  "/\\evil.example/steal",
  `${APP_URL}.evil.example/steal`,
  `${APP_URL}@evil.example/steal`,
  "javascript:alert(document.cookie)",
];

/** Where a URL (relative to the app) really points. */
const originOf = (url: string) => new URL(url, APP_URL).origin;

test("Auth.js keeps a hostile callbackUrl on the app", async ({ playwright }) => {
  let rememberedAny = false;
  for (const callbackUrl of HOSTILE) {
    const request = await playwright.request.newContext({ baseURL: APP_URL });
    const response = await request.get(`/api/auth/signin?${new URLSearchParams({ callbackUrl })}`, { maxRedirects: 0 });
    expect(response.status(), callbackUrl).toBe(302);
    const location = response.headers().location ?? "";
    expect(originOf(location), callbackUrl).toBe(APP_URL);
    expect(location, callbackUrl).not.toContain("evil.example");

    // Auth.js refuses a callbackUrl that is no URL at all (to the error page) and sets no cookie;
    // any other comes back as one of the app's own URLs, remembered for after the sign-in.
    const remembered = (await request.storageState()).cookies.find((c) => c.name.endsWith("authjs.callback-url"));
    if (remembered) expect(originOf(decodeURIComponent(remembered.value)), callbackUrl).toBe(APP_URL);
    rememberedAny ||= Boolean(remembered);
    await request.dispose();
  }
  expect(rememberedAny, "at least one hostile URL was parsed and rewritten").toBe(true);
});

test("a sign-in started with a hostile callbackUrl ends on the app", async ({ page }) => {
  const visitedEvil: string[] = [];
  await page.route(`${EVIL}/**`, async (route) => {
    visitedEvil.push(route.request().url());
    await route.fulfill({ body: "pwned" });
  });
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const started = await page.request.post("/api/auth/signin/claimtrip", {
    form: { csrfToken, callbackUrl: `${EVIL}/steal` },
    headers: { origin: APP_URL },
    maxRedirects: 0,
  });
  expect(started.status()).toBe(302);
  await page.goto(started.headers().location!);

  await new IdpLoginPage(page).signIn(alice);
  await expect(page).toHaveURL((url) => url.origin === APP_URL);
  await expect(page.getByTestId("signed-in-as")).toHaveText(alice.shownAs);
  expect(visitedEvil).toEqual([]);
});

test("the app's sign-in form ignores a hostile returnTo", async ({ page }) => {
  await page.goto("/auth/error?error=session_expired");
  // What an injected field would do: the form posts whatever fields it holds.
  await page
    .getByRole("main")
    .locator("form")
    .evaluate((form, target) => {
      const input = document.createElement("input");
      Object.assign(input, { type: "hidden", name: "returnTo", value: target });
      form.append(input);
    }, `${EVIL}/steal`);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();

  await new IdpLoginPage(page).signIn(alice);
  await expect(page).toHaveURL(`${APP_URL}/dashboard`);
});
