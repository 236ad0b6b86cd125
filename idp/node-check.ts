/**
 * Our own check of the Node.js version the IdP runs on, in place of oidc-provider's. The library
 * prints "oidc-provider WARNING: Unsupported runtime" (console.warn, once, while its module
 * loads) for any Node whose `process.release.lts` is unset or older than 22's: a Node 26 build
 * that carries no LTS name gets it, though the project is tested there, and Node 23 or 25 do
 * not say what *was* tested. server.ts imports this module first, so the library's line is held
 * back while it loads ({@link releaseConsole} ends that), and start-up logs {@link nodeVerdict}.
 */

/** The Node lines CI and the README's Node table cover (22 from 22.12). */
export const TESTED_NODE_LINES = [22, 24, 26] as const;

const LIBRARY_LINE = "oidc-provider WARNING: Unsupported runtime";

/** Whether `version` (e.g. "26.12.1") is on a tested line, and a sentence that says so. */
export function nodeVerdict(version: string): { tested: boolean; message: string } {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const tested = (TESTED_NODE_LINES as readonly number[]).includes(major) && (major !== 22 || minor >= 12);
  const lines = "22.12+, 24 and 26";
  return tested
    ? { tested, message: `Node.js v${version}: tested (${lines})` }
    : { tested, message: `Node.js v${version} is not a tested line (${lines}): use one of those` };
}

const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === "string" && args[0].includes(LIBRARY_LINE)) return;
  warn(...args);
};

/** Puts console.warn back, once oidc-provider has loaded. */
export function releaseConsole(): void {
  console.warn = warn;
}
