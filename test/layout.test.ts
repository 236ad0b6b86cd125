/**
 * The README's layout table is the map of `lib/`: it names every folder and every file left at
 * the root, and nothing that is gone. A move that forgets the table fails here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const table = readme.slice(
  readme.indexOf("## Project layout"),
  readme.indexOf("\n## ", readme.indexOf("## Project layout") + 1),
);
/** The paths in the table's first column. */
const named = table
  .split("\n")
  .filter((line) => line.startsWith("| `"))
  .flatMap((line) => [...(line.split("|")[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));

describe("README's project layout", () => {
  it("names every folder of lib/ and every file at its root", () => {
    const entries = readdirSync(join(root, "lib"), { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")))
      .map((e) => (e.isDirectory() ? `lib/${e.name}/` : `lib/${e.name}`));
    expect(entries.length).toBeGreaterThan(5);
    expect(entries.filter((e) => !named.includes(e))).toEqual([]);
  });

  it("names only paths that exist", () => {
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });
});
