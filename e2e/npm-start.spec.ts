/**
 * `npm start` as the README's quick start runs it: the command of package.json's `start` script,
 * which hosts the IdP and the app in one process (scripts/host.ts), here on ports and a SQLite
 * file of its own. A sign-in goes through both, the dashboard shows the API's answer, and SIGTERM
 * stops both servers gracefully. The rest of the suite starts the two programs on their own
 * (playwright.config.ts), so this is the one spec of the in-process path.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "./fixtures";
import { alice, NPM_START, OUTPUT_DIR, REPO_ROOT } from "./settings";
import { signInAt } from "./support/scale-out";
import { startServer, type SpecServer } from "./support/servers";

const LOG = join(OUTPUT_DIR, "npm-start.log");

/** The command of package.json's `start` script, as words. */
const START: string[] = (
  JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts.start as string
).split(/\s+/);

/** The JSON log lines the process wrote, by message. */
function logMessages(): string[] {
  return readFileSync(LOG, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg));
}

test.describe("npm start", () => {
  test.describe.configure({ timeout: 180_000 });
  let server: SpecServer | undefined;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const db = join(OUTPUT_DIR, "npm-start.db");
    for (const file of [db, `${db}-wal`, `${db}-shm`]) rmSync(file, { force: true });
    server = await startServer(
      "npm-start",
      START,
      {
        APP_URL: NPM_START.app,
        API_AUDIENCE: `${NPM_START.app}/api`,
        AUTH_ISSUER: NPM_START.idp,
        IDP_ISSUER: NPM_START.idp,
        DATABASE_URL: `file:${db}`,
        LOG_FORMAT: "json",
      },
      `${NPM_START.idp}/.well-known/openid-configuration`,
    );
    await expect
      .poll(async () => (await fetch(`${NPM_START.app}/api/health`).catch(() => undefined))?.status, {
        timeout: 60_000,
      })
      .toBe(200);
  });

  test.afterAll(async () => {
    await server?.stop();
  });

  test("one process serves the IdP and the app: a sign-in goes through both, and SIGTERM stops both", async ({
    page,
  }) => {
    await signInAt(page, NPM_START.app, NPM_START.idp, alice);
    await expect(page.getByTestId("api-roles")).toContainText('"admin"');

    expect(logMessages()).toEqual(expect.arrayContaining(["app listening", "IdP listening"]));
    await server?.stop();
    expect(logMessages()).toEqual(expect.arrayContaining(["app stopping", "IdP stopping"]));
  });
});

test("npm start with a malformed setting stops at once, with the line that names it", async () => {
  test.setTimeout(90_000);
  const [command, ...args] = START;
  // Not the local IdP's issuer, so the app runs alone; its settings are checked before it takes a
  // request (instrumentation.ts), where the first request's proxy read them and hung.
  const child = spawn(command!, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, APP_URL: NPM_START.app, AUTH_ISSUER: "not a url", LOG_FORMAT: "json" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, 60_000);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  expect(code, `still running after 60 s; it printed:\n${output}`).toBe(1);
  expect(output).toContain("Invalid setting AUTH_ISSUER:");
  expect(output).not.toMatch(/\n\s+at /); // one line, not a stack
});
