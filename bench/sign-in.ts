/**
 * The sign-in round trip a person waits for, in a real Chromium: click "Sign in" until the IdP's
 * form shows, then submit it until the dashboard shows the API's answer (typing is not timed).
 * Each run uses a fresh browser context (no IdP session, no app session), after one warm-up run.
 * Counts every HTTP redirect the browser follows on the way. With a baseline checkout
 * (BENCH_BASELINE), runs alternate between the two.
 *
 * Each step is timed by the page's own clock, from the click as the page received it (the event's
 * timestamp) until the page painted the awaited element (the frame that first held it), not from
 * Playwright's `click()` call to its `waitFor()` returning. Before it dispatches a click,
 * Playwright waits for the button to be visible, stable over two animation frames and hit by the
 * pointer; after a navigation, it injects its selector engine into the new page and polls it. A
 * person pays neither. That harness time is measured and printed beside the wait, not counted in it.
 *
 *   npm run bench -- sign-in
 */
import { chromium, type Browser, type BrowserContext, type Request, type Response } from "@playwright/test";
import { existsSync } from "node:fs";
import { CHROMIUM_ARGS } from "../scripts/chromium";
import { startFloor, timePasswordCheck } from "./support/floor";
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
 * clicked and its noticing the element after it was painted (harness: not part of the wait), then
 * the page handling the click until the first request left (input), waiting for answers (request
 * sent to first byte, summed over the step's documents: on loopback, the servers' time), and the
 * rest (reading the answers, following redirects, parsing, running scripts and painting, until the
 * frame that showed the awaited element).
 */
interface StepSplit {
  harnessMs: number;
  inputMs: number;
  serversMs: number;
  browserMs: number;
}

interface Run {
  /** From the click the page received until the page painted the IdP's form. */
  toFormMs: number;
  /** From the submit click the IdP's page received until the dashboard painted the API's answer. */
  toDashboardMs: number;
  totalMs: number;
  /** The same two steps from Playwright's `click()` calls to its `waitFor()` returning: the harness included. */
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
 * A step's split, in epoch ms: Playwright's `click()` was called at `called`, the page received
 * the click at `clicked`, painted the awaited element at `shown`, and Playwright's `waitFor()`
 * returned at `noticed`; `requests` are those that started within the step.
 */
function split(requests: Timed[], called: number, clicked: number, shown: number, noticed: number): StepSplit {
  const inStep = requests.filter((r) => r.startedAt >= clicked && r.startedAt <= shown);
  const first = Math.min(...inStep.map((r) => r.startedAt));
  const inputMs = Number.isFinite(first) ? first - clicked : 0;
  const serversMs = inStep.reduce((sum, r) => sum + r.ttfbMs, 0);
  return {
    harnessMs: clicked - called + (noticed - shown),
    inputMs,
    serversMs,
    browserMs: shown - clicked - inputMs - serversMs,
  };
}

/** What each step waits for: the IdP's email field, then the dashboard's view of the API's answer. */
export const AWAITED = { form: "input#email", dashboard: '[data-testid="api-view"]' } as const;

/** What the pages of a context report, in epoch ms (`performance.timeOrigin` plus the page's clock). */
interface PageClock {
  /** Every click a page received, as the event's timestamp has it (before the page's handlers ran). */
  clicks: number[];
  /** The first frame that held each awaited element, painted. */
  shown: Partial<Record<keyof typeof AWAITED, number>>;
}

/**
 * The script every document of a bench context runs first. For the awaited elements, a mutation
 * observer sees each one inserted; the next animation frame is the first to hold it, and a task
 * queued from that frame's callback runs once the frame's style, layout and paint are done: that
 * moment is when it showed. Paint blocked by a stylesheet or by scripts delays the frame, and so
 * the reading, as it delays what a person sees.
 * A string, not a function: tsx would compile a function with helpers the page does not have.
 */
export const PAGE_CLOCK_SCRIPT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  addEventListener("click", (event) => { if (event.isTrusted) window.__benchClick(performance.timeOrigin + event.timeStamp); }, { capture: true });
  const awaited = ${JSON.stringify(Object.entries(AWAITED))};
  const seen = new Set();
  const look = () => {
    for (const [name, selector] of awaited) {
      if (seen.has(name) || !document.querySelector(selector)) continue;
      seen.add(name);
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => window.__benchShown(name, now());
        channel.port2.postMessage(0);
      });
    }
    if (seen.size === awaited.length) observer.disconnect();
  };
  const observer = new MutationObserver(look);
  observer.observe(document, { childList: true, subtree: true });
})();`;

/** Installs {@link PAGE_CLOCK_SCRIPT} in every page of `context` and collects what it reports. */
async function pageClock(context: BrowserContext): Promise<PageClock> {
  const clock: PageClock = { clicks: [], shown: {} };
  await context.exposeBinding("__benchClick", (_source, at: number) => {
    clock.clicks.push(at);
  });
  await context.exposeBinding("__benchShown", (_source, name: keyof typeof AWAITED, at: number) => {
    clock.shown[name] ??= at;
  });
  await context.addInitScript(PAGE_CLOCK_SCRIPT);
  return clock;
}

/** Waits (a little) for the page's report, which crosses the same channel as Playwright's own calls. */
async function reported<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let waited = 0; waited < 5_000; waited += 10) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the page never reported ${what}`);
}

/** One sign-in in a fresh context, timed. */
async function signInOnce(browser: Browser, target: Target): Promise<Run> {
  const context = await browser.newContext();
  const clock = await pageClock(context);
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
    await page.locator(AWAITED.form).waitFor({ state: "visible", timeout: 30_000 });
    const t1 = Date.now();
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    const t2 = Date.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(AWAITED.dashboard).waitFor({ state: "visible", timeout: 30_000 });
    const t3 = Date.now();
    if (!page.url().startsWith(`${target.appUrl}/dashboard`)) throw new Error(`ended on ${page.url()}`);
    // The last document's request is reported finished once its body is read: wait for that.
    await page.waitForLoadState("load");
    // The only two clicks of the run: "Sign in" on the landing page, then on the IdP's form.
    if (clock.clicks.length !== 2) throw new Error(`expected 2 clicks, the pages reported ${clock.clicks.length}`);
    const [c0, c2] = clock.clicks as [number, number];
    const s1 = await reported(() => clock.shown.form, "the IdP's form painted");
    const s3 = await reported(() => clock.shown.dashboard, "the dashboard's API view painted");
    return {
      toFormMs: s1 - c0,
      toDashboardMs: s3 - c2,
      totalMs: s1 - c0 + (s3 - c2),
      harnessTotalMs: t1 - t0 + (t3 - t2),
      redirects: chain.length,
      chain,
      toForm: split(requests, t0, c0, s1, t1),
      toDashboard: split(requests, t2, c2, s3, t3),
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
  const floor = await startFloor();
  try {
    // The floor runs in turn with the real stacks, so a noisy moment lands on all of them alike.
    const all = [...stacks, floor];
    const results = new Map<string, Run[]>(all.map((s) => [s.target.label, []]));
    const warmUp = new Map<string, number>();
    for (const { target } of all) warmUp.set(target.label, (await signInOnce(browser, target)).totalMs);
    for (let i = 0; i < runs; i++) {
      for (const { target } of i % 2 ? [...all].reverse() : all)
        results.get(target.label)!.push(await signInOnce(browser, target));
    }
    const hash = summarize(await timePasswordCheck());
    const rows = [];
    const out: Record<string, unknown> = {};
    for (const { target } of all) {
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
    const floorMedian = out.floor ? (out.floor as { roundTripMs: { median: number } }).roundTripMs.median : 0;
    const leastMs = floorMedian + hash.median;
    printTable(
      `sign-in round trip in Chromium, from each click the page received to the frame that painted what it waits for, ${runs} runs each after 1 warm-up${stacks.length > 1 ? ", alternating" : ""} (with_harness: from Playwright's click() calls to its waitFor() returning)`,
      rows,
    );
    // The floor mirrors today's hops (./support/floor.ts); a checkout whose sign-in takes others
    // is not measured against it.
    const hops = (label: string) => (results.get(label)?.[0]?.chain ?? []).map((hop) => hop.split(" ", 2).join(" "));
    for (const { target } of stacks)
      if (hops(target.label).join() !== hops("floor").join())
        console.log(
          `NOTE: ${target.label}'s redirects (${hops(target.label).join(", ")}) are not the floor's (${hops("floor").join(", ")}): the floor does not apply to it`,
        );
    console.log(
      `floor: the same hops in the same browser, bare pages and servers that answer at once; plus the IdP's password check (${round(hash.median)} ms, median of 10 here): ${round(leastMs)} ms, the least a sign-in takes on this machine`,
    );
    for (const { target } of stacks) {
      console.log(`redirects followed (${target.label}):`);
      for (const hop of results.get(target.label)?.[0]?.chain ?? []) console.log(`  ${hop}`);
    }
    const splitRows = [];
    const ttfbRows = [];
    for (const { target } of all) {
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
      "where each step's time goes (medians; harness: Playwright's checks before the click and its noticing the painted element, not in the wait; input: click to first request; servers: request to first byte summed; browser: the rest, until the paint)",
      splitRows,
    );
    printTable("time to first byte of each document request (medians)", ttfbRows);
    return { runs, rows, split: splitRows, ttfb: ttfbRows, passwordCheckMs: hash, leastMs: round(leastMs), ...out };
  } finally {
    await browser.close();
    await floor.stop();
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
