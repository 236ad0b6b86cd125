/**
 * What the doctor found: one line per check (status, what was found, what to change) and a
 * summary. Lines carry setting names, URLs and claim names, never a secret or a token.
 */

/** `skip`: not checked, because something it needs failed first (that line says what). */
export type Status = "ok" | "warn" | "fail" | "skip";

export interface Check {
  /** Short and stable: tests and readers find a check by it. */
  name: string;
  status: Status;
  /** What was found. */
  found: string;
  /** What to change, when something should change. */
  fix?: string;
}

export interface Report {
  checks: Check[];
  /** False when any check failed: the settings would not work. */
  ok: boolean;
}

export const ok = (name: string, found: string): Check => ({ name, status: "ok", found });
export const warn = (name: string, found: string, fix?: string): Check => ({ name, status: "warn", found, fix });
export const fail = (name: string, found: string, fix?: string): Check => ({ name, status: "fail", found, fix });
export const skip = (name: string, because: string): Check => ({
  name,
  status: "skip",
  found: `not checked: ${because}`,
});

export function report(checks: Check[]): Report {
  return { checks, ok: !checks.some((check) => check.status === "fail") };
}

const NAME_WIDTH = 14;

/** One line per check, then the summary line. */
export function formatReport({ checks, ok: passed }: Report): string {
  const lines = checks.map(
    ({ status, name, found, fix }) =>
      `${status.padEnd(4)} ${name.padEnd(NAME_WIDTH)} ${oneLine(found)}${fix ? ` → ${oneLine(fix)}` : ""}`,
  );
  const count = (status: Status) => checks.filter((check) => check.status === status).length;
  const tally = `${count("ok")} ok, ${count("warn")} warn, ${count("fail")} fail, ${count("skip")} skipped`;
  lines.push("", passed ? `doctor: ${tally}: these settings work.` : `doctor: ${tally}: fix the failed checks above.`);
  return lines.join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A URL fit to print: user name and password removed (a DATABASE_URL may carry them). */
export function safeUrl(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/[^@/]*@/, "//");
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}
