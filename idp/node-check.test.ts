import { describe, expect, it, vi } from "vitest";

describe("node-check", () => {
  it("holds back oidc-provider's runtime line and nothing else, until released", async () => {
    const original = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { releaseConsole } = await import("./node-check.ts");
    console.warn(
      "\x1b[31;1moidc-provider WARNING: Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.\x1b[0m",
    );
    console.warn("oidc-provider WARNING: something else");
    expect(original.mock.calls).toEqual([["oidc-provider WARNING: something else"]]);
    releaseConsole();
    expect(console.warn).toBe(original);
    original.mockRestore();
  });

  it("says whether a version is on a tested line", async () => {
    const { nodeVerdict } = await import("./node-check.ts");
    for (const version of ["22.12.0", "22.23.5", "24.0.0", "26.12.1"]) expect(nodeVerdict(version).tested).toBe(true);
    for (const version of ["22.11.0", "23.6.0", "25.1.0", "27.0.0"]) {
      const verdict = nodeVerdict(version);
      expect(verdict.tested).toBe(false);
      expect(verdict.message).toContain(`v${version}`);
      expect(verdict.message).toContain("22.12+, 24 and 26");
    }
  });
});
