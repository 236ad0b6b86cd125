/**
 * How long a change at the IdP takes to reach a signed-in browser, measured by the specs that
 * cause one, for the README's staleness table: each measurement becomes an annotation of its test
 * and a line in e2e/.output/staleness.jsonl (numbers to read, never assertions on timing alone).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { OUTPUT_DIR } from "../settings";

/** Records that the change made at `started` (ms) reached the browser `seconds` later. */
export function recordStaleness(path: string, seconds: number): void {
  const line = { path, seconds: Math.round(seconds * 100) / 100, at: new Date().toISOString() };
  mkdirSync(OUTPUT_DIR, { recursive: true });
  appendFileSync(join(OUTPUT_DIR, "staleness.jsonl"), `${JSON.stringify(line)}\n`);
  test.info().annotations.push({ type: "staleness", description: `${path}: ${line.seconds} s` });
  console.log(`staleness: ${path}: ${line.seconds} s`);
}

/**
 * Loads `path` on `origin` again and again until the app answers it as for a signed-out visitor
 * (the signed-in pages send them to `/?signin=required`, with the way back); returns the seconds
 * since `started`.
 */
export async function secondsUntilSignedOut(
  page: Page,
  origin: string,
  started: number,
  path = "/dashboard",
): Promise<number> {
  await expect(async () => {
    await page.goto(`${origin}${path}`);
    expect(page.url()).toBe(`${origin}/?signin=required&returnTo=${encodeURIComponent(path)}`);
  }).toPass({ intervals: [100, 250, 250, 500], timeout: 15_000 });
  const seconds = (Date.now() - started) / 1000;
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  return seconds;
}
