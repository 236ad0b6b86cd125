import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keyFilePath, loadOrCreateKeys, rotateKeys, toProviderJwks } from "./keys.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "claimtrip-keys-"));
  dirs.push(dir);
  return join(dir, "data");
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("signing keys", () => {
  it("makes a private RS256 key on first start, readable by the owner only, and reuses it", async () => {
    const dir = tempDir();
    const [first] = await loadOrCreateKeys(dir);
    expect(first?.jwk).toMatchObject({
      kty: "RSA",
      alg: "RS256",
      use: "sig",
      kid: expect.any(String),
      d: expect.any(String),
    });
    expect(statSync(keyFilePath(dir)).mode & 0o077).toBe(0);
    const again = await loadOrCreateKeys(dir);
    expect(again.map((k) => k.jwk.kid)).toEqual([first?.jwk.kid]);
  });

  it("puts a new key first on rotation and keeps the old one published", async () => {
    const dir = tempDir();
    const [old] = await loadOrCreateKeys(dir);
    const now = new Date("2030-01-01T00:00:00Z");
    const result = await rotateKeys(dir, 3600, now);
    expect(result.retired).toBe(old?.jwk.kid);
    const keys = await loadOrCreateKeys(dir);
    expect(keys.map((k) => k.jwk.kid)).toEqual([result.added, old?.jwk.kid]);
    expect(keys[0]?.retiredAt).toBeUndefined();
    expect(keys[1]?.retiredAt).toBe(now.toISOString());
    expect(toProviderJwks(keys).keys[0]?.kid).toBe(result.added);
  });

  it("drops keys retired longer ago than every token they signed can live", async () => {
    const dir = tempDir();
    const [oldest] = await loadOrCreateKeys(dir);
    const t0 = new Date("2030-01-01T00:00:00Z");
    const second = await rotateKeys(dir, 3600, t0);
    const soon = await rotateKeys(dir, 3600, new Date(t0.getTime() + 10 * 60 * 1000));
    expect(soon.pruned).toEqual([]);
    const later = await rotateKeys(dir, 3600, new Date(t0.getTime() + 65 * 60 * 1000));
    expect(later.pruned).toEqual([oldest?.jwk.kid]);
    const kids = (await loadOrCreateKeys(dir)).map((k) => k.jwk.kid);
    expect(kids).toEqual([later.added, soon.added, second.added]);
  });

  it("refuses a key file without private keys instead of silently replacing it", async () => {
    const dir = tempDir();
    await loadOrCreateKeys(dir);
    const path = keyFilePath(dir);
    const file = JSON.parse(readFileSync(path, "utf8")) as { keys: { jwk: Record<string, unknown> }[] };
    delete file.keys[0]?.jwk.d;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, JSON.stringify(file));
    await expect(loadOrCreateKeys(dir)).rejects.toThrow(/no private signing keys/);
  });
});
