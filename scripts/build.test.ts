/**
 * The build stamp: `npm start` skips `next build` only when nothing the build reads changed.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inputsHash, staleReason } from "./build.ts";

function checkout(): string {
  const base = mkdtempSync(join(tmpdir(), "claimtrip-stamp-"));
  mkdirSync(join(base, "app"));
  mkdirSync(join(base, "lib"));
  writeFileSync(join(base, "app/page.tsx"), "export default function Page() { return null; }\n");
  writeFileSync(join(base, "lib/env.ts"), "export const env = {};\n");
  writeFileSync(join(base, "package-lock.json"), "{}\n");
  return base;
}

describe("inputsHash", () => {
  it("changes with a source, a dependency or a NEXT_PUBLIC_ setting, and only then", () => {
    const base = checkout();
    const before = inputsHash({}, base);
    expect(inputsHash({}, base)).toBe(before);

    writeFileSync(join(base, "lib/env.test.ts"), "// a test is no part of the build\n");
    writeFileSync(join(base, "README.md"), "docs neither\n");
    expect(inputsHash({ AUTH_SECRET: "read at run time, not built in" }, base)).toBe(before);

    expect(inputsHash({ NEXT_PUBLIC_GREETING: "hi" }, base)).not.toBe(before);
    writeFileSync(join(base, "package-lock.json"), '{"lockfileVersion":3}\n');
    const afterLock = inputsHash({}, base);
    expect(afterLock).not.toBe(before);
    writeFileSync(join(base, "app/page.tsx"), "export default function Page() { return 1; }\n");
    expect(inputsHash({}, base)).not.toBe(afterLock);
  });
});

describe("staleReason", () => {
  it("asks for a build until there is one with a matching stamp and its stylesheet", () => {
    const base = checkout();
    const outputs = { buildId: join(base, "BUILD_ID"), stylesheet: join(base, "styles.css") };
    const stamp = { inputs: "abc", builtAt: "2026-11-30T08:00:00.000Z" };
    expect(staleReason(stamp, "abc", outputs)).toBe("there is no build yet");
    writeFileSync(outputs.buildId, "id\n");
    expect(staleReason(stamp, "abc", outputs)).toBe("the login page stylesheet is missing");
    writeFileSync(outputs.stylesheet, "body{}\n");
    expect(staleReason(undefined, "abc", outputs)).toBe("the last build left no stamp");
    expect(staleReason(stamp, "def", outputs)).toMatch(/changed since the last build/);
    expect(staleReason(stamp, "abc", outputs)).toBeUndefined();
  });
});
