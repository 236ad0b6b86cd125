import { DEFAULT_CLOCK_TOLERANCE } from "./jws.ts";
import type { AccessTokenVerifier, VerifiedAccessToken } from "./verify.ts";

/**
 * Remembers tokens that passed verification, so the same token presented again (a signed-in
 * page calls the API with one token until it is refreshed) costs a map lookup instead of an
 * RSA or ECDSA check on Node's WebCrypto thread pool.
 *
 * Safe by construction: the key is the whole compact token, signature included, so only the
 * byte-identical token hits; a refused token is never remembered; a hit is re-checked against
 * `exp` and `nbf` with the same clock tolerance; and nothing is trusted from memory for longer
 * than `maxAgeMs`, so a key withdrawn from the JWKS stops working as soon as it would without
 * the cache (the JWKS itself is cached for minutes).
 */
export interface VerifiedTokenCacheOptions {
  /** Tokens remembered at most; the least recently used goes first. Default: 1000 */
  max?: number;
  /** How long a verification is reused, in ms. Default: 60000 */
  maxAgeMs?: number;
  /** Seconds of clock skew allowed on `exp` and `nbf`, as the verifier's. Default: 5 */
  clockTolerance?: number;
}

interface Entry {
  token: VerifiedAccessToken;
  verifiedAt: number;
}

export function withVerifiedTokenCache(
  verifier: AccessTokenVerifier,
  options: VerifiedTokenCacheOptions = {},
): AccessTokenVerifier {
  const max = options.max ?? 1000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const tolerance = options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE;
  const entries = new Map<string, Entry>();

  const usable = (entry: Entry, nowMs: number) => {
    const { exp, nbf } = entry.token.payload;
    const now = nowMs / 1000;
    return (
      nowMs - entry.verifiedAt < maxAgeMs &&
      typeof exp === "number" &&
      now < exp + tolerance &&
      (typeof nbf !== "number" || now >= nbf - tolerance)
    );
  };

  return {
    async verify(token) {
      const now = Date.now();
      const hit = typeof token === "string" ? entries.get(token) : undefined;
      if (hit) {
        entries.delete(token);
        if (usable(hit, now)) {
          entries.set(token, hit); // most recently used last
          return hit.token;
        }
      }
      const verified = await verifier.verify(token);
      entries.set(token, { token: deepFreeze(verified), verifiedAt: now });
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
      return verified;
    },
  };
}

/** Every caller shares the remembered result: none may change it for the others. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
