/**
 * The security headers, as the browser gets them from the running app: a strict CSP with a
 * fresh nonce on every response (pages, API routes, files), no framing, nosniff, a referrer
 * policy, and a session cookie that scripts cannot read and other sites cannot send. Then the
 * pages themselves run under that CSP without a single violation, while an injected script does not.
 *
 * The run is on http://localhost, so no HSTS and no Secure/__Host- cookie here: both depend on
 * an https APP_URL and are covered by lib/http/security-headers.test.ts and lib/auth/cookies.test.ts.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { APP_URL, IDP_URL } from "./settings";
import { sessionCookie } from "./support/session";

const PAGES = [
  "/",
  "/dashboard",
  "/tokens",
  "/admin",
  "/auth/error",
  "/auth/error?error=session_expired",
  "/no-such-page",
];
const OTHER_PATHS = ["/api/me", "/api/health", "/api/auth/session", "/api/auth/csrf", "/icon.svg"];

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name, sources] as [string, string[]];
    }),
  );
}

test("every response carries the strict CSP and the other security headers", async ({ adminPage }) => {
  const nonces = new Set<string>();
  for (const path of [...PAGES, ...OTHER_PATHS]) {
    const response = await adminPage.request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    const csp = directives(headers["content-security-policy"] ?? "");
    const scriptSrc = csp.get("script-src") ?? [];
    const nonce = scriptSrc.find((source) => source.startsWith("'nonce-"));

    expect(nonce, `${path}: script-src has a nonce`).toBeDefined();
    nonces.add(nonce!);
    expect(scriptSrc, path).toEqual(["'self'", nonce, "'strict-dynamic'"]);
    expect(csp.get("style-src"), path).toEqual(["'self'", nonce]);
    expect(csp.get("default-src"), path).toEqual(["'self'"]);
    expect(csp.get("object-src"), path).toEqual(["'none'"]);
    expect(csp.get("base-uri"), path).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
    expect(csp.get("form-action"), path).toEqual(["'self'", IDP_URL]);
    expect(headers["content-security-policy"], path).not.toMatch(/unsafe-inline|unsafe-eval/);

    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["permissions-policy"], path).toBe("camera=(), microphone=(), geolocation=()");
    expect(headers["x-request-id"], path).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/);
    expect(headers["strict-transport-security"], `${path}: no HSTS over http`).toBeUndefined();
  }
  expect(nonces.size, "a fresh nonce for every response").toBe(PAGES.length + OTHER_PATHS.length);
});

test("every script the server renders carries the response's nonce", async ({ adminPage }) => {
  for (const path of ["/", "/tokens", "/admin"]) {
    const response = await adminPage.request.get(path);
    const nonce = /'nonce-([^']+)'/.exec(response.headers()["content-security-policy"] ?? "")?.[1];
    const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length, path).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);
  }
});

test("a request id from upstream is kept when well-formed and replaced when not", async ({ request }) => {
  const kept = await request.get("/api/health", { headers: { "x-request-id": "e2e-request-0001" } });
  expect(kept.headers()["x-request-id"]).toBe("e2e-request-0001");
  for (const forged of ['spaces and "quotes" {"level":"fatal"}', "x".repeat(200), "short"]) {
    const replaced = await request.get("/api/health", { headers: { "x-request-id": forged } });
    expect(replaced.headers()["x-request-id"], forged).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  }
});

test("the session cookie is HttpOnly and SameSite=Lax", async ({ adminPage }) => {
  await adminPage.goto("/dashboard");
  const cookie = await sessionCookie(adminPage.context());
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe("Lax");
  expect(cookie.path).toBe("/");
  expect(await adminPage.evaluate(() => document.cookie), "no script can read it").not.toContain("session-token");
});

/** Collects CSP violations and script errors the page reports. */
async function watchViolations(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|CSP-VIOLATION/.test(message.text())) problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`CSP-VIOLATION ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return problems;
}

test("the pages run under the CSP without a single violation", async ({ adminPage, userPage }) => {
  const problems = [...(await watchViolations(adminPage)), ...(await watchViolations(userPage))];
  for (const path of PAGES) {
    await adminPage.goto(path);
    await adminPage.waitForLoadState("networkidle");
  }
  await userPage.goto("/admin"); // the 403 page
  await userPage.waitForLoadState("networkidle");

  // The token inspector's countdown is a client component: it ticks only if its script ran.
  await adminPage.goto("/tokens");
  const countdown = adminPage.getByTestId("access-token-claims").locator("header .tabular-nums");
  const first = await countdown.innerText();
  await expect(countdown).not.toHaveText(first, { timeout: 5_000 });
  expect(problems).toEqual([]);
});

test("a script injected into the server's HTML does not run", async ({ adminPage }) => {
  const problems = await watchViolations(adminPage);
  // Stands in for a stored XSS: the real response, its real CSP header, hostile markup added.
  await adminPage.route("**/dashboard", async (route) => {
    const response = await route.fetch();
    const injected = [
      "<script>window.__injected = true</script>",
      '<script nonce="guessed-nonce">window.__guessed = true</script>',
      '<img src="/no-such-image.png" onerror="window.__handler = true">',
      '<script src="data:text/javascript,window.__external = true"></script>',
    ].join("");
    await route.fulfill({ response, body: (await response.text()).replace("</body>", `${injected}</body>`) });
  });
  await adminPage.goto("/dashboard");
  await expect.poll(() => problems.length).toBeGreaterThanOrEqual(4);
  const ran = await adminPage.evaluate(() =>
    ["__injected", "__guessed", "__handler", "__external"].filter((key) => key in window),
  );
  expect(ran).toEqual([]);
  // The app's own scripts, which carry the nonce, still run: the page hydrates and navigates.
  await expect(adminPage.getByTestId("role-badge")).toHaveText("admin");
});

test("another site cannot frame the app", async ({ adminPage }) => {
  const refusals: string[] = [];
  adminPage.on("console", (message) => {
    if (message.text().includes("frame-ancestors")) refusals.push(message.text());
  });
  // The framing page is served by a real server of its own on this machine: another origin, and
  // on the loopback address, so that Chromium's local-network rules do not block the frame first.
  const attacker = createServer((_, response) => {
    response.setHeader("content-type", "text/html");
    response.end(`<iframe src="${APP_URL}/dashboard" width="800" height="600"></iframe>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = attacker.address() as AddressInfo;
    await adminPage.goto(`http://127.0.0.1:${port}/`);
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    const framed = adminPage.frames().find((frame) => frame !== adminPage.mainFrame());
    expect(framed, "the iframe exists").toBeDefined();
    expect(await framed!.locator("[data-testid=signed-in-as]").count()).toBe(0);
  } finally {
    await new Promise((resolve) => attacker.close(resolve));
  }
});
