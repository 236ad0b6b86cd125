import { describe, expect, it } from "vitest";
import { requestPath, signInRequiredPath } from "./request-path";

describe("requestPath", () => {
  it("keeps the path and the query, without Next.js's _rsc parameter", () => {
    expect(requestPath(new URL("http://localhost:3000/admin"))).toBe("/admin");
    expect(requestPath(new URL("http://localhost:3000/tokens?tab=id&_rsc=1x2y"))).toBe("/tokens?tab=id");
    expect(requestPath(new URL("http://localhost:3000/dashboard?_rsc=abc"))).toBe("/dashboard");
  });
});

describe("signInRequiredPath", () => {
  it("carries a path on this app as returnTo", () => {
    expect(signInRequiredPath("/admin")).toBe("/?signin=required&returnTo=%2Fadmin");
    expect(signInRequiredPath("/tokens?tab=id")).toBe("/?signin=required&returnTo=%2Ftokens%3Ftab%3Did");
  });

  it.each([
    null,
    undefined,
    "",
    "/",
    "//evil.example/x",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
  ])("carries no returnTo for %j", (path) => {
    expect(signInRequiredPath(path)).toBe("/?signin=required");
  });
});
