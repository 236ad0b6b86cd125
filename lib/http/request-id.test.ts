import { describe, expect, it } from "vitest";
import { isValidRequestId, requestIdFrom } from "./request-id";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("requestIdFrom", () => {
  it("keeps a well-formed id from upstream", () => {
    for (const id of ["5f1c2a9e-0d7b-4c1e-9a51-3b7f0e2d8c41", "1-67891233-abcdef012345678912345678", "req_01HZX3K9"]) {
      expect(requestIdFrom(id)).toBe(id);
    }
  });

  it.each([
    ["missing", null],
    ["empty", ""],
    ["too short", "abc"],
    ["too long", "a".repeat(129)],
    ["a forged log line", 'abcdefgh\n{"level":"info","msg":"forged"}'],
    ["quotes and spaces", 'abcdefgh" x="1'],
    ["a token-sized blob", `eyJ${"a".repeat(300)}`],
  ])("replaces %s with a fresh UUID", (_, value) => {
    expect(isValidRequestId(value)).toBe(false);
    expect(requestIdFrom(value)).toMatch(UUID);
  });

  it("generates a different id every time", () => {
    expect(requestIdFrom(null)).not.toBe(requestIdFrom(null));
  });
});
