/**
 * Playwright: the claim round trip in a real browser, against the real IdP and the production
 * build of the app (`npm run build` first; `npm test` does it through `pretest:e2e`).
 *
 * The run gets its own ports (app 3100, IdP 4100; `E2E_APP_PORT`, `E2E_IDP_PORT`) and its own SQLite database
 * (e2e/.output/e2e.db, recreated every run), so a demo on 3000/4000 is left alone.
 *
 * Why one worker: the demo users and their roles are shared by every spec. roles.spec.ts makes bob
 * an admin for a while, refresh.spec.ts counts the IdP's refreshes of one grant, and the audit log
 * is read newest first; specs side by side would see each other's changes in the middle of their
 * assertions. Each sign-in has its own app session and token set (lib/tokens/store.ts), so a spec
 * that signs a user in again in its own browser context leaves the sessions auth.setup.ts saved
 * as they were; it signs out only its own session.
 *
 * Two steps do have a place: auth.setup.ts (project `setup`) signs the demo users in before any
 * spec, and logs-clean.teardown.ts (project `logs`, setup's teardown) reads both servers' logs
 * after the last spec.
 */
import { relative } from "node:path";
import { chromium, defineConfig, devices, type LaunchOptions } from "@playwright/test";
import { APP_URL, DB_FILE, IDP_URL, OUTPUT_DIR, SERVER_ENV as serverEnv } from "./e2e/settings";
import { CHROMIUM_ARGS, chooseChromium, installPlaywrightChromium } from "./scripts/chromium";

/** A Chromium on the machine wins; without one, Playwright's own is installed (scripts/chromium.ts). */
function browserLaunchOptions(): LaunchOptions {
  const choice = chooseChromium({
    configuredPath: process.env.PLAYWRIGHT_CHROMIUM_PATH || undefined,
    bundledPath: () => chromium.executablePath(),
    install: () => installPlaywrightChromium(import.meta.dirname),
  });
  if (choice.ok)
    return { ...(choice.executablePath ? { executablePath: choice.executablePath } : {}), args: CHROMIUM_ARGS };
  // One line, no stack trace: this is a setup step for the user, not a bug.
  console.error(choice.problem);
  process.exit(1);
}

/** How `npm start` runs the IdP and the scripts: Node's own type stripping, no tsx. */
const node = "node --experimental-strip-types";
const out = relative(import.meta.dirname, OUTPUT_DIR);
const db = relative(import.meta.dirname, DB_FILE);

export default defineConfig({
  testDir: "./e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  // A retry would turn a real race (two refreshes of one grant) into a "flaky" pass.
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : [["list"]],
  use: {
    baseURL: APP_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: browserLaunchOptions(),
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/, teardown: "logs" },
    {
      name: "chromium",
      testMatch: /\.spec\.ts$/,
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"] },
    },
    // After every spec (Playwright runs a project's teardown once all its dependents finished).
    { name: "logs", testMatch: /logs-clean\.teardown\.ts$/ },
  ],
  // Started in order: a fresh database (migrated and seeded by the project's own setup), the
  // IdP, then the app.
  // Never reuse a running server: one started with other settings would make the results lie.
  webServer: [
    {
      name: "idp",
      command: `rm -f ${db} ${db}-* && mkdir -p ${out} && ${node} scripts/setup.ts && exec ${node} idp/server.ts > ${out}/idp.log 2> ${out}/idp.err.log`,
      url: `${IDP_URL}/.well-known/openid-configuration`,
      env: serverEnv,
      reuseExistingServer: false,
      timeout: 120_000,
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    {
      name: "app",
      command: `exec node_modules/.bin/next start -p ${new URL(APP_URL).port} > ${out}/app.log 2> ${out}/app.err.log`,
      url: `${APP_URL}/api/health`,
      env: serverEnv,
      reuseExistingServer: false,
      timeout: 120_000,
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
  ],
});
