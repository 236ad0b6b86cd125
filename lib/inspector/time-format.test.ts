import { describe, expect, it } from "vitest";
import { relativeTime, utcDateTime } from "./time-format";

describe("utcDateTime", () => {
  it("writes a NumericDate in UTC, to the second", () => {
    expect(utcDateTime(1796281930)).toBe("2026-12-03 07:12:10 UTC");
    expect(utcDateTime(0)).toBe("1970-01-01 00:00:00 UTC");
    expect(utcDateTime(Number.MAX_VALUE)).toBe("not a date");
  });
});

describe("relativeTime", () => {
  const now = 1_000_000_000_000;
  const at = (offset: number) => relativeTime(now / 1000 + offset, now);
  it("says how far off, in the units a person reads", () => {
    expect(at(0)).toBe("now");
    expect(at(42)).toBe("in 42 s");
    expect(at(-180)).toBe("3 min ago");
    expect(at(252)).toBe("in 4 min 12 s");
    expect(at(-(3 * 3600 + 5 * 60 + 7))).toBe("3 h 5 min ago");
    expect(at(86_400 + 3600)).toBe("in 1 day 1 h");
    expect(at(-3 * 86_400)).toBe("3 days ago");
  });
});
