import { describe, expect, it } from "vitest";
import { sameOriginRedirect, safeReturnPath } from "./return-path";

describe("safeReturnPath", () => {
  it("keeps paths on this app, with their query", () => {
    expect(safeReturnPath("/admin")).toBe("/admin");
    expect(safeReturnPath("/tokens?tab=id")).toBe("/tokens?tab=id");
  });

  it.each([
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/\u0009/evil.example",
    // Dot segments that resolve to a protocol-relative path.
    "/.//evil.example",
    "/%2e//evil.example",
    "/%2E%2E//evil.example",
    "/a/..//evil.example",
    "/a/b/../..//evil.example/x?y=1",
    "",
    undefined,
    42,
  ])("refuses %j", (value) => {
    expect(safeReturnPath(value)).toBe("/dashboard");
  });
});

describe("sameOriginRedirect (Auth.js redirect callback)", () => {
  const baseUrl = "http://localhost:3000";

  it("keeps paths and same-origin URLs, with their query", () => {
    expect(sameOriginRedirect({ url: "/tokens?tab=id", baseUrl })).toBe("http://localhost:3000/tokens?tab=id");
    expect(sameOriginRedirect({ url: "http://localhost:3000/admin", baseUrl })).toBe("http://localhost:3000/admin");
  });

  it.each([
    "https://evil.example/",
    "https://evil.example/http://localhost:3000/",
    "//evil.example/x",
    "/\\evil.example",
    "http://localhost:3000.evil.example/",
    "http://localhost:3000@evil.example/",
    "https://localhost:3000/",
    "http://localhost:3001/",
    "http://localhost:3000//evil.example",
    "/.//evil.example",
    "http://localhost:3000/a/..//evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "not a url",
    "",
  ])("sends %j to the start page", (url) => {
    expect(sameOriginRedirect({ url, baseUrl })).toBe("http://localhost:3000/");
  });
});
