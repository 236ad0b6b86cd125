/**
 * Which Chromium the end-to-end tests drive (playwright.config.ts), installing Playwright's own
 * when the machine has none, so `npm test` on a fresh machine does the whole set-up where the
 * network allows it.
 *
 * In order: PLAYWRIGHT_CHROMIUM_PATH (refused when nothing is there: it was asked for); the
 * system's /usr/bin/chromium (Debian/Ubuntu's package); Playwright's own browser; and only then
 * `playwright install chromium`, once.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Flags for a browser in a container: no sandbox (root), no GPU, and no calls home. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ChromiumSources {
  /** PLAYWRIGHT_CHROMIUM_PATH, when set. */
  configuredPath?: string;
  /** Default: /usr/bin/chromium */
  systemPath?: string;
  /** Where Playwright keeps its own Chromium (`chromium.executablePath()`). */
  bundledPath: () => string;
  /** Runs `playwright install chromium`; true when it succeeded. */
  install: () => boolean;
  exists?: (path: string) => boolean;
}

/** An executable to launch (`undefined`: Playwright's own), or the one-line reason there is none. */
export type ChromiumChoice = { ok: true; executablePath?: string } | { ok: false; problem: string };

const HOW_TO =
  "Install one with `apt-get install -y chromium` (Debian/Ubuntu) or `npx playwright install chromium`, " +
  "or set PLAYWRIGHT_CHROMIUM_PATH to a Chromium or Chrome binary.";

export function chooseChromium({
  configuredPath,
  systemPath = "/usr/bin/chromium",
  bundledPath,
  install,
  exists = existsSync,
}: ChromiumSources): ChromiumChoice {
  if (configuredPath) {
    return exists(configuredPath)
      ? { ok: true, executablePath: configuredPath }
      : { ok: false, problem: `PLAYWRIGHT_CHROMIUM_PATH is ${configuredPath}, but there is no file there. ${HOW_TO}` };
  }
  if (exists(systemPath)) return { ok: true, executablePath: systemPath };
  if (exists(bundledPath())) return { ok: true };
  if (install() && exists(bundledPath())) return { ok: true };
  return {
    ok: false,
    problem: `No Chromium for the end-to-end tests, and \`playwright install chromium\` could not fetch one. ${HOW_TO}`,
  };
}

/** `playwright install chromium` from this repository's node_modules, its progress shown. */
export function installPlaywrightChromium(root: string): boolean {
  console.error(
    "No Chromium found for the end-to-end tests: installing Playwright's own (npx playwright install chromium)…",
  );
  const result = spawnSync(join(root, "node_modules/.bin/playwright"), ["install", "chromium"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return result.status === 0;
}
