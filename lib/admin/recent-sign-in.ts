/**
 * When did the acting admin last type their password, in this session? The session's own ID
 * token's `auth_time` says, once the token is verified (signature against the IdP's keys shared
 * by every verifier of the app, issuer, audience = this app, `sub`). Auth.js neither enforces
 * `max_age` nor checks `auth_time`, so the app does it here.
 */
import "server-only";
import { jwtVerify } from "jose";
import { env } from "../env";
import { issuerAlgorithms, issuerKeys } from "../issuer/keys";
import { DEFAULT_CLOCK_TOLERANCE } from "../resource-server";

/**
 * The `auth_time` (seconds since the epoch) of this session's ID token, or null when there is no
 * usable answer: no ID token, one that fails verification or has expired, one for another
 * user, or one without `auth_time`. Null counts as "not recent".
 */
export async function verifiedAuthTime(idToken: string | null, expectedSub: string): Promise<number | null> {
  if (!idToken) return null;
  try {
    const { payload } = await jwtVerify(idToken, issuerKeys, {
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_CLIENT_ID,
      algorithms: issuerAlgorithms,
      clockTolerance: DEFAULT_CLOCK_TOLERANCE,
    });
    if (payload.sub !== expectedSub || typeof payload.auth_time !== "number") return null;
    return payload.auth_time;
  } catch {
    return null;
  }
}
