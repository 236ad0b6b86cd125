import { describe, expect, it } from "vitest";
import { verdict } from "./goals";

const quiet = { before: [0.4, 0.5, 0.6], after: [1.2, 0.8, 0.7] };

describe("a goal's verdict", () => {
  it("is met or missed on a quiet machine", () => {
    expect(verdict({ within: true }, quiet)).toBe("met");
    expect(verdict({ within: false }, quiet)).toBe("missed");
  });

  it("is never given when the load went above 1.5, before or after, whatever the numbers", () => {
    expect(verdict({ within: true }, { before: [1.6, 0, 0], after: [0.2, 0, 0] })).toBe("not judged: load 1.6 > 1.5");
    expect(verdict({ within: true }, { before: [0.2, 0, 0], after: [9.25, 0, 0] })).toBe("not judged: load 9.25 > 1.5");
    expect(verdict({ within: false }, { before: [3, 0, 0], after: [3, 0, 0] })).toMatch(/^not judged/);
  });

  it("judges at exactly the threshold, and refuses a load it could not read", () => {
    expect(verdict({ within: true }, { before: [1.5], after: [1.5] })).toBe("met");
    expect(verdict({ within: true }, { before: [], after: [0.1] })).toMatch(/^not judged/);
  });
});
