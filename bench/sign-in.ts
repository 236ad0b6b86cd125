/**
 * The sign-in round trip a person waits for, in a real Chromium: click "Sign in" until the IdP's
 * form shows, then submit it until the dashboard shows the API's answer (typing is not timed).
 * Each run uses a fresh browser context (no IdP session, no app session), after one warm-up run.
 * Counts every HTTP redirect the browser follows on the way. With a baseline checkout
 * (BENCH_BASELINE), runs alternate between the two.
 *
 *   npm run bench -- sign-in
 */
import { chromium, type Browser, type Response } from "@playwright/test";
import { existsSync } from "node:fs";
import { CHROMIUM_ARGS } from "../scripts/chromium";
import { isMain, printTable, round, summarize, writeResult } from "./support/report";
import { startStack, targets, type Stack, type Target } from "./support/stack";

export const DEMO_USER = { email: "alice@example.com", password: "alice-password" };

export function launchChromium(): Promise<Browser> {
  const executablePath =
    process.env.PLAYWRIGHT_CHROMIUM_PATH || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
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
async function signInOnce(browser: Browser, target: Target): Promise<Run> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const chain: string[] = [];
  const onResponse = (response: Response) => {
    const status = response.status();
    if (status >= 300 && status < 400) {
      const url = new URL(response.url());
      chain.push(
        `${status} ${response.request().method()} ${url.host}${url.pathname.replace(/\/[A-Za-z0-9_-]{20,}/g, "/…")}`,
      );
    }
  };
  try {
    await page.goto(`${target.appUrl}/`);
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
    if (!page.url().startsWith(`${target.appUrl}/dashboard`)) throw new Error(`ended on ${page.url()}`);
    return { toFormMs: t1 - t0, toDashboardMs: t3 - t2, totalMs: t1 - t0 + (t3 - t2), redirects: chain.length, chain };
  } finally {
    page.off("response", onResponse);
    await context.close();
  }
}

/** Signs alice in once and returns the app's cookies, as a `Cookie` header for load tests. */
export async function signInCookies(browser: Browser, target: Target): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${target.appUrl}/`);
    await page.getByRole("button", { name: "Sign in" }).first().click();
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("api-view").waitFor({ state: "visible", timeout: 30_000 });
    const cookies = await context.cookies(target.appUrl);
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  } finally {
    await context.close();
  }
}

export async function benchSignIn(stacks: Stack[], runs = 20) {
  const browser = await launchChromium();
  try {
    const results = new Map<string, Run[]>(stacks.map((s) => [s.target.label, []]));
    const warmUp = new Map<string, number>();
    for (const { target } of stacks) warmUp.set(target.label, (await signInOnce(browser, target)).totalMs);
    for (let i = 0; i < runs; i++) {
      for (const { target } of i % 2 ? [...stacks].reverse() : stacks)
        results.get(target.label)!.push(await signInOnce(browser, target));
    }
    const rows = [];
    const out: Record<string, unknown> = {};
    for (const { target } of stacks) {
      const list = results.get(target.label)!;
      const total = summarize(list.map((r) => r.totalMs));
      const toForm = summarize(list.map((r) => r.toFormMs));
      const toDashboard = summarize(list.map((r) => r.toDashboardMs));
      const redirects = summarize(list.map((r) => r.redirects));
      rows.push({
        checkout: target.label,
        to_form_median_ms: round(toForm.median),
        to_dashboard_median_ms: round(toDashboard.median),
        round_trip_median_ms: round(total.median),
        min_ms: round(total.min),
        max_ms: round(total.max),
        redirects: redirects.median,
      });
      out[target.label] = {
        warmUpMs: round(warmUp.get(target.label)!),
        roundTripMs: total,
        toFormMs: toForm,
        toDashboardMs: toDashboard,
        redirects: redirects.median,
        chain: list[0]?.chain ?? [],
        samplesMs: list.map((r) => round(r.totalMs)),
      };
    }
    printTable(
      `sign-in round trip in Chromium, ${runs} runs each after 1 warm-up${stacks.length > 1 ? ", alternating" : ""}`,
      rows,
    );
    for (const { target } of stacks) {
      console.log(`redirects followed (${target.label}):`);
      for (const hop of results.get(target.label)?.[0]?.chain ?? []) console.log(`  ${hop}`);
    }
    return { runs, rows, ...out };
  } finally {
    await browser.close();
  }
}

if (isMain(import.meta.url)) {
  const stacks: Stack[] = [];
  try {
    for (const target of targets()) stacks.push(await startStack(target));
    writeResult("sign-in", await benchSignIn(stacks, Number(process.argv[2] ?? 20)));
  } finally {
    for (const stack of stacks) await stack.stop();
  }
}
