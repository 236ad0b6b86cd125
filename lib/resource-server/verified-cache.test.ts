import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidTokenError } from "./errors";
import type { AccessTokenVerifier, VerifiedAccessToken } from "./verify";
import { withVerifiedTokenCache } from "./verified-cache";

/** A verifier that accepts tokens named in `claims` and counts how often it really verifies. */
function countingVerifier(claims: Record<string, Record<string, unknown>>) {
  const calls: string[] = [];
  const verifier: AccessTokenVerifier = {
    async verify(token) {
      calls.push(token);
      const payload = claims[token];
      if (!payload) throw new InvalidTokenError("The access token signature is invalid", "signature");
      return { payload: { sub: "alice", ...payload }, protectedHeader: { alg: "RS256" } } as VerifiedAccessToken;
    },
  };
  return { verifier, calls };
}

const now = () => Math.floor(Date.now() / 1000);

afterEach(() => vi.useRealTimers());

describe("withVerifiedTokenCache", () => {
  it("verifies a token once and reuses the result for the same token only", async () => {
    const { verifier, calls } = countingVerifier({ a: { exp: now() + 300 }, b: { exp: now() + 300 } });
    const cached = withVerifiedTokenCache(verifier);
    const first = await cached.verify("a");
    expect(await cached.verify("a")).toBe(first);
    await cached.verify("b");
    expect(calls).toEqual(["a", "b"]);
    expect(Object.isFrozen(first.payload)).toBe(true);
  });

  it("never remembers a refusal", async () => {
    const { verifier, calls } = countingVerifier({});
    const cached = withVerifiedTokenCache(verifier);
    await expect(cached.verify("forged")).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(cached.verify("forged")).rejects.toBeInstanceOf(InvalidTokenError);
    expect(calls).toEqual(["forged", "forged"]);
  });

  it("re-verifies once the token expired (past the tolerance) or the entry is older than maxAgeMs", async () => {
    const { verifier, calls } = countingVerifier({ short: { exp: now() + 10 }, long: { exp: now() + 3600 } });
    const cached = withVerifiedTokenCache(verifier, { maxAgeMs: 60_000, clockTolerance: 5 });
    await cached.verify("short");
    await cached.verify("long");
    vi.useFakeTimers({ now: Date.now() + 16_000, toFake: ["Date"] });
    await cached.verify("short"); // expired 6 s ago: asks the verifier (which, being a fake, still accepts)
    await cached.verify("long"); // still remembered
    expect(calls).toEqual(["short", "long", "short"]);
    vi.setSystemTime(Date.now() + 61_000);
    await cached.verify("long");
    expect(calls).toEqual(["short", "long", "short", "long"]);
  });

  it("keeps at most `max` tokens, dropping the least recently used", async () => {
    const exp = now() + 300;
    const { verifier, calls } = countingVerifier({ a: { exp }, b: { exp }, c: { exp } });
    const cached = withVerifiedTokenCache(verifier, { max: 2 });
    await cached.verify("a");
    await cached.verify("b");
    await cached.verify("a"); // a is now the most recently used
    await cached.verify("c"); // evicts b
    await cached.verify("a");
    await cached.verify("b");
    expect(calls).toEqual(["a", "b", "c", "b"]);
  });

  it("does not serve a token before its nbf", async () => {
    const { verifier, calls } = countingVerifier({ later: { exp: now() + 300, nbf: now() + 100 } });
    const cached = withVerifiedTokenCache(verifier);
    await cached.verify("later");
    await cached.verify("later");
    expect(calls).toEqual(["later", "later"]);
  });
});
