/**
 * The sign-in round trip a person waits for, in a real Chromium: click "Sign in" until the IdP's
 * form shows, then submit it until the dashboard shows the API's answer (typing is not timed).
 * Each run uses a fresh browser context (no IdP session, no app session), after one warm-up run.
 * Counts every HTTP redirect the browser follows on the way. With a baseline checkout
 * (BENCH_BASELINE), runs alternate between the two.
 *
 * Each step is timed from the click as the page received it (the event's own timestamp), not from
 * Playwright's `click()` call: before it dispatches a click, Playwright waits for the button to be
 * visible, stable over two animation frames and hit by the pointer, about 50-70 ms that a person's
 * click does not pay. That harness time is measured and printed beside the wait, not counted in it.
 *
 *   npm run bench -- sign-in
 */
import { chromium, type Browser, type BrowserContext, type Request, type Response } from "@playwright/test";
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
 * Where one step's time went, from the browser's own timings: Playwright's checks before it
 * clicked (harness: not part of the wait), then the page handling the click until the first
 * request left (input), waiting for answers (request sent to first byte, summed over the step's
 * documents: on loopback, the servers' time), and the rest (reading the answers, following
 * redirects, parsing and painting, until the awaited element showed).
 */
interface StepSplit {
  harnessMs: number;
  inputMs: number;
  serversMs: number;
  browserMs: number;
}

interface Run {
  /** From the click the page received until the IdP's form showed. */
  toFormMs: number;
  /** From the submit click the IdP's page received until the dashboard showed the API's answer. */
  toDashboardMs: number;
  totalMs: number;
  /** The same two steps from Playwright's `click()` calls: the harness's checks included. */
  harnessTotalMs: number;
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

/**
 * A step's split: Playwright's `click()` was called at `called`, the page received the click at
 * `clicked`, the awaited element showed at `shown` (epoch ms); `requests` are those that started
 * within the step.
 */
function split(requests: Timed[], called: number, clicked: number, shown: number): StepSplit {
  const inStep = requests.filter((r) => r.startedAt >= clicked && r.startedAt <= shown);
  const first = Math.min(...inStep.map((r) => r.startedAt));
  const inputMs = Number.isFinite(first) ? first - clicked : 0;
  const serversMs = inStep.reduce((sum, r) => sum + r.ttfbMs, 0);
  return { harnessMs: clicked - called, inputMs, serversMs, browserMs: shown - clicked - inputMs - serversMs };
}

/**
 * Records the epoch time of every click a page of `context` receives (`performance.timeOrigin` plus
 * the event's timestamp: when the input reached the page), before the page's own handlers run.
 * A string, not a function: tsx would compile a function with helpers the page does not have.
 */
async function recordClicks(context: BrowserContext): Promise<number[]> {
  const clicks: number[] = [];
  await context.exposeBinding("__benchClick", (_source, at: number) => {
    clicks.push(at);
  });
  await context.addInitScript(
    `addEventListener("click", (event) => { if (event.isTrusted) window.__benchClick(performance.timeOrigin + event.timeStamp); }, { capture: true });`,
  );
  return clicks;
}

/** One sign-in in a fresh context, timed. */
async function signInOnce(browser: Browser, target: Target): Promise<Run> {
  const context = await browser.newContext();
  const clicks = await recordClicks(context);
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
    // The only two clicks of the run: "Sign in" on the landing page, then on the IdP's form.
    if (clicks.length !== 2) throw new Error(`expected 2 clicks, the pages reported ${clicks.length}`);
    const [c0, c2] = clicks as [number, number];
    return {
      toFormMs: t1 - c0,
      toDashboardMs: t3 - c2,
      totalMs: t1 - c0 + (t3 - c2),
      harnessTotalMs: t1 - t0 + (t3 - t2),
      redirects: chain.length,
      chain,
      toForm: split(requests, t0, c0, t1),
      toDashboard: split(requests, t2, c2, t3),
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
      const harness = summarize(list.map((r) => r.harnessTotalMs));
      rows.push({
        checkout: target.label,
        to_form_median_ms: round(toForm.median),
        to_dashboard_median_ms: round(toDashboard.median),
        round_trip_median_ms: round(total.median),
        min_ms: round(total.min),
        max_ms: round(total.max),
        with_harness_median_ms: round(harness.median),
        redirects: redirects.median,
      });
      out[target.label] = {
        warmUpMs: round(warmUp.get(target.label)!),
        roundTripMs: total,
        toFormMs: toForm,
        toDashboardMs: toDashboard,
        withHarnessMs: harness,
        redirects: redirects.median,
        chain: list[0]?.chain ?? [],
        samplesMs: list.map((r) => round(r.totalMs)),
      };
    }
    printTable(
      `sign-in round trip in Chromium from each click the page received, ${runs} runs each after 1 warm-up${stacks.length > 1 ? ", alternating" : ""} (with_harness: from Playwright's click() calls)`,
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
          harness_ms: median((s) => s.harnessMs),
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
      "where each step's time goes (medians; harness: Playwright's checks before the click, not in the wait; input: click to first request; servers: request to first byte summed; browser: the rest)",
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
