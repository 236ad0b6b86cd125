import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./return-path";

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
    "",
    undefined,
    42,
  ])("refuses %j", (value) => {
    expect(safeReturnPath(value)).toBe("/dashboard");
  });
});
