import { describe, expect, it } from "vitest";
import { dummyHash, hashPassword, verifyPassword } from "./passwords.ts";

describe("passwords", () => {
  it("stores a self-describing scrypt hash that verifies only the right password", async () => {
    const hash = await hashPassword("correct horse");
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(hash).not.toContain("correct horse");
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct horsE", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("reads the cost from the hash, so older hashes keep verifying", async () => {
    const cheap = await hashPassword("pw", { ln: 10, r: 8, p: 1 });
    expect(cheap).toMatch(/^\$scrypt\$ln=10,/);
    expect(await verifyPassword("pw", cheap)).toBe(true);
  });

  it("never verifies malformed or out-of-range hashes", async () => {
    const good = await hashPassword("pw");
    for (const bad of [
      "",
      "pw",
      "$scrypt$ln=15,r=8,p=1$abc",
      good.replace("ln=15", "ln=30"),
      good.replace("ln=15", "ln=5"),
    ]) {
      expect(await verifyPassword("pw", bad)).toBe(false);
    }
  });

  it("has a dummy hash to compare against for unknown users", async () => {
    const dummy = await dummyHash();
    expect(await dummyHash()).toBe(dummy);
    expect(await verifyPassword("", dummy)).toBe(false);
  });
});
