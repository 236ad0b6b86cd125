/**
 * When did the acting admin last type their password? The ID token's `auth_time` says, once
 * the ID token is verified (signature against the IdP's JWKS, issuer, audience = this app,
 * `sub`). Auth.js neither enforces `max_age` nor checks `auth_time`, so the app does it here.
 */
import "server-only";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { providerMetadata } from "../auth/discovery";
import { env } from "../env";

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

async function keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
  jwks ??= createRemoteJWKSet(new URL((await providerMetadata()).jwks_uri), { cooldownDuration: 30_000 });
  return jwks;
}

/**
 * The `auth_time` (seconds since the epoch) of this user's ID token, or null when there is no
 * usable answer: no ID token, one that fails verification or has expired, one for another
 * user, or one without `auth_time`. Null counts as "not recent".
 */
export async function verifiedAuthTime(idToken: string | null, expectedSub: string): Promise<number | null> {
  if (!idToken) return null;
  try {
    const { payload } = await jwtVerify(idToken, await keys(), {
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_CLIENT_ID,
      algorithms: env.API_ALGORITHMS,
      clockTolerance: 5,
    });
    if (payload.sub !== expectedSub || typeof payload.auth_time !== "number") return null;
    return payload.auth_time;
  } catch {
    return null;
  }
}

/** Whether a sign-in at `authTime` is at most `maxAgeSeconds` old at `now`. */
export function isRecent(authTime: number | null, maxAgeSeconds: number, now: number = Date.now()): boolean {
  return authTime !== null && now / 1000 - authTime <= maxAgeSeconds && authTime <= now / 1000 + 5;
}
