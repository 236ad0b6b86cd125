/**
 * The sign-in round trip a person waits for, in a real Chromium: click "Sign in" until the IdP's
 * form shows, then submit it until the dashboard shows the API's answer (typing is not timed).
 * Each run uses a fresh browser context (no IdP session, no app session), after one warm-up run.
 * Counts every HTTP redirect the browser follows on the way. With a baseline checkout
 * (BENCH_BASELINE), runs alternate between the two.
 *
 *   npm run bench -- sign-in
 */
import { chromium, type Browser, type Request, type Response } from "@playwright/test";
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

/**
 * Where one step's time went, from the browser's own request timings: until the first request
 * left (Playwright's click or submit: actionability checks, then the input event), waiting for
 * answers (request sent to first byte, summed over the step's documents: on loopback, the
 * servers' time), and the rest (reading the answers, following redirects, parsing and painting,
 * until the awaited element showed).
 */
interface StepSplit {
  inputMs: number;
  serversMs: number;
  browserMs: number;
}

interface Run {
  toFormMs: number;
  toDashboardMs: number;
  totalMs: number;
  redirects: number;
  chain: string[];
  toForm: StepSplit;
  toDashboard: StepSplit;
  /** Time to first byte of each document request of the sign-in, by its (shortened) path. */
  ttfbMs: Record<string, number>;
}

interface Timed {
  startedAt: number;
  ttfbMs: number;
  label: string;
}

/** A step's split: `requests` are those that started within [from, to] (epoch ms). */
function split(requests: Timed[], from: number, to: number): StepSplit {
  const inStep = requests.filter((r) => r.startedAt >= from && r.startedAt <= to);
  const first = Math.min(...inStep.map((r) => r.startedAt));
  const inputMs = Number.isFinite(first) ? first - from : 0;
  const serversMs = inStep.reduce((sum, r) => sum + r.ttfbMs, 0);
  return { inputMs, serversMs, browserMs: to - from - inputMs - serversMs };
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
  // Documents only (navigations and their redirects): what the person waits on. Static files,
  // cached or fetched in parallel, would blur the sum.
  const requests: Timed[] = [];
  const onFinished = (request: Request) => {
    if (request.resourceType() !== "document") return;
    const timing = request.timing();
    const url = new URL(request.url());
    requests.push({
      startedAt: timing.startTime,
      ttfbMs: Math.max(0, timing.responseStart - timing.requestStart),
      label: `${request.method()} :${url.port}${url.pathname.replace(/\/[A-Za-z0-9_-]{20,}/g, "/…")}`,
    });
  };
  try {
    // The clock starts on a page that finished loading (its scripts ran): a person reads it first.
    await page.goto(`${target.appUrl}/`, { waitUntil: "networkidle" });
    page.on("response", onResponse);
    page.on("requestfinished", onFinished);
    // Epoch milliseconds: the clock of Playwright's request timings.
    const t0 = Date.now();
    await page.getByRole("button", { name: "Sign in" }).first().click();
    await page.getByLabel("Email").waitFor({ state: "visible", timeout: 30_000 });
    const t1 = Date.now();
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    const t2 = Date.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("api-view").waitFor({ state: "visible", timeout: 30_000 });
    const t3 = Date.now();
    if (!page.url().startsWith(`${target.appUrl}/dashboard`)) throw new Error(`ended on ${page.url()}`);
    // The last document's request is reported finished once its body is read: wait for that.
    await page.waitForLoadState("load");
    return {
      toFormMs: t1 - t0,
      toDashboardMs: t3 - t2,
      totalMs: t1 - t0 + (t3 - t2),
      redirects: chain.length,
      chain,
      toForm: split(requests, t0, t1),
      toDashboard: split(requests, t2, t3),
      ttfbMs: Object.fromEntries(requests.map((r) => [r.label, r.ttfbMs])),
    };
  } finally {
    page.off("response", onResponse);
    page.off("requestfinished", onFinished);
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
    const splitRows = [];
    const ttfbRows = [];
    for (const { target } of stacks) {
      const list = results.get(target.label) ?? [];
      for (const step of ["toForm", "toDashboard"] as const) {
        const median = (pick: (s: StepSplit) => number) => round(summarize(list.map((r) => pick(r[step]))).median);
        splitRows.push({
          checkout: target.label,
          step: step === "toForm" ? "click -> IdP form" : "submit -> dashboard",
          input_ms: median((s) => s.inputMs),
          servers_ms: median((s) => s.serversMs),
          browser_ms: median((s) => s.browserMs),
        });
      }
      for (const label of Object.keys(list[0]?.ttfbMs ?? {})) {
        const values = list.map((r) => r.ttfbMs[label]).filter((v): v is number => v !== undefined);
        ttfbRows.push({ checkout: target.label, request: label, ttfb_median_ms: round(summarize(values).median) });
      }
    }
    printTable(
      "where each step's time goes (medians; input: until the first request left, servers: request to first byte summed, browser: the rest)",
      splitRows,
    );
    printTable("time to first byte of each document request (medians)", ttfbRows);
    return { runs, rows, split: splitRows, ttfb: ttfbRows, ...out };
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
