import { describe, expect, it } from "vitest";
import { chooseChromium, type ChromiumSources } from "./chromium.ts";

const BUNDLED = "/cache/ms-playwright/chromium/chrome";

function sources(present: string[], options: Partial<ChromiumSources> = {}) {
  const files = new Set(present);
  let installs = 0;
  const chosen = chooseChromium({
    bundledPath: () => BUNDLED,
    install: () => {
      installs++;
      files.add(BUNDLED);
      return true;
    },
    exists: (path) => files.has(path),
    ...options,
  });
  return { chosen, installs: () => installs };
}

describe("chooseChromium", () => {
  it("prefers PLAYWRIGHT_CHROMIUM_PATH, then the system's Chromium, then Playwright's own", () => {
    expect(sources(["/opt/chrome", "/usr/bin/chromium"], { configuredPath: "/opt/chrome" }).chosen).toEqual({
      ok: true,
      executablePath: "/opt/chrome",
    });
    expect(sources(["/usr/bin/chromium", BUNDLED]).chosen).toEqual({ ok: true, executablePath: "/usr/bin/chromium" });
    expect(sources([BUNDLED]).chosen).toEqual({ ok: true });
  });

  it("installs Playwright's own Chromium when the machine has none", () => {
    const { chosen, installs } = sources([]);
    expect(chosen).toEqual({ ok: true });
    expect(installs()).toBe(1);
  });

  it("gives up with one line when the install fails", () => {
    const { chosen } = sources([], { install: () => false });
    expect(chosen).toEqual({
      ok: false,
      problem: expect.stringMatching(
        /^No Chromium for the end-to-end tests, and `playwright install chromium` could not fetch one\. Install one with/,
      ),
    });
  });

  it("installs nothing when a path was asked for and is missing", () => {
    const { chosen, installs } = sources([], { configuredPath: "/nowhere/chrome" });
    expect(chosen).toEqual({
      ok: false,
      problem: expect.stringMatching(/^PLAYWRIGHT_CHROMIUM_PATH is \/nowhere\/chrome, but there is no file there\./),
    });
    expect(installs()).toBe(0);
  });
});
