/**
 * The sign-in round trip a person waits for, in a real Chromium: click "Sign in" until the IdP's
 * form shows, then submit it until the dashboard shows the API's answer (typing is not timed).
 * Each run uses a fresh browser context (no IdP session, no app session), after one warm-up run.
 * Counts every HTTP redirect the browser follows on the way.
 *
 *   npm run bench -- sign-in [runs]        (default 20; starts `npm start` unless one is given)
 */
import { chromium, type Browser, type Response } from "@playwright/test";
import { existsSync } from "node:fs";
import { isMain, printTable, round, summarize, writeResult } from "./support/report";
import { APP_URL, startStack, type Stack } from "./support/stack";

export const DEMO_USER = { email: "alice@example.com", password: "alice-password" };

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.PLAYWRIGHT_CHROMIUM_PATH || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

interface Run {
  toFormMs: number;
  toDashboardMs: number;
  totalMs: number;
  redirects: number;
  chain: string[];
}

/** One sign-in in a fresh context, timed. */
async function signInOnce(browser: Browser): Promise<Run> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const chain: string[] = [];
  const onResponse = (response: Response) => {
    const status = response.status();
    if (status >= 300 && status < 400) {
      const url = new URL(response.url());
      chain.push(`${status} ${response.request().method()} ${url.host}${url.pathname.replace(/\/[A-Za-z0-9_-]{20,}/g, "/…")}`);
    }
  };
  try {
    await page.goto(`${APP_URL}/`);
    page.on("response", onResponse);
    const t0 = performance.now();
    await page.getByRole("button", { name: "Sign in" }).first().click();
    await page.getByLabel("Email").waitFor({ state: "visible", timeout: 30_000 });
    const t1 = performance.now();
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    const t2 = performance.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("api-view").waitFor({ state: "visible", timeout: 30_000 });
    const t3 = performance.now();
    if (!page.url().startsWith(`${APP_URL}/dashboard`)) throw new Error(`ended on ${page.url()}`);
    return { toFormMs: t1 - t0, toDashboardMs: t3 - t2, totalMs: t1 - t0 + (t3 - t2), redirects: chain.length, chain };
  } finally {
    page.off("response", onResponse);
    await context.close();
  }
}

/** Signs alice in once and returns the app's cookies, as a `Cookie` header for load tests. */
export async function signInCookies(browser: Browser): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${APP_URL}/`);
    await page.getByRole("button", { name: "Sign in" }).first().click();
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("api-view").waitFor({ state: "visible", timeout: 30_000 });
    const cookies = await context.cookies(APP_URL);
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  } finally {
    await context.close();
  }
}

export async function benchSignIn(runs = 20) {
  const browser = await launchChromium();
  try {
    const warmUp = await signInOnce(browser);
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) results.push(await signInOnce(browser));
    const total = summarize(results.map((r) => r.totalMs));
    const toForm = summarize(results.map((r) => r.toFormMs));
    const toDashboard = summarize(results.map((r) => r.toDashboardMs));
    const redirects = summarize(results.map((r) => r.redirects));
    const row = (name: string, s: ReturnType<typeof summarize>) => ({
      step: name,
      median_ms: round(s.median),
      min_ms: round(s.min),
      max_ms: round(s.max),
    });
    printTable(`sign-in round trip in Chromium, ${runs} runs after 1 warm-up (${APP_URL})`, [
      row("click Sign in -> IdP form", toForm),
      row("submit -> dashboard rendered", toDashboard),
      row("round trip (sum)", total),
    ]);
    console.log(`HTTP redirects followed per sign-in: ${redirects.median} (min ${redirects.min}, max ${redirects.max})`);
    for (const hop of results[0].chain) console.log(`  ${hop}`);
    return {
      runs,
      warmUpMs: round(warmUp.totalMs),
      roundTripMs: total,
      toFormMs: toForm,
      toDashboardMs: toDashboard,
      redirects: redirects.median,
      chain: results[0].chain,
      samplesMs: results.map((r) => round(r.totalMs)),
    };
  } finally {
    await browser.close();
  }
}

if (isMain(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 20);
  let stack: Stack | undefined;
  try {
    stack = await startStack();
    writeResult("sign-in", await benchSignIn(runs));
  } finally {
    await stack?.stop();
  }
}
