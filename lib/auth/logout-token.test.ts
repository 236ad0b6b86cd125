/**
 * The logout-token verifier's own rules, beside the hostile set the route's tests run through it
 * (app/api/auth/backchannel-logout/route.test.ts): clock tolerance, `typ` spellings, how long a
 * `jti` must be remembered, and the keys being unavailable.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";

import { createTestKey, type TestKey } from "@/test/tokens";
import type { JWTVerifyGetKey } from "jose";
import { KeySourceError } from "@/lib/resource-server";
import {
  BACKCHANNEL_LOGOUT_EVENT,
  createLogoutTokenVerifier,
  LogoutKeysUnavailableError,
  LogoutTokenError,
} from "./logout-token";

const ISSUER = "https://idp.example";
const CLIENT_ID = "claimtrip-web";

let key: TestKey;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  key = await createTestKey("RS256");
  keys = async () => key.publicKey;
});

const now = () => Math.floor(Date.now() / 1000);

function sign(claims: Record<string, unknown> = {}, typ: string | undefined = "logout+jwt"): Promise<string> {
  const payload = Object.fromEntries(
    Object.entries({
      iss: ISSUER,
      aud: CLIENT_ID,
      iat: now(),
      jti: randomUUID(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      sid: "s1",
      ...claims,
    }).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", kid: key.kid, ...(typ === undefined ? {} : { typ }) })
    .sign(key.privateKey);
}

const verifier = () => createLogoutTokenVerifier({ keys, issuer: ISSUER, clientId: CLIENT_ID, algorithms: ["RS256"] });

async function reason(token: string): Promise<string> {
  const error = await verifier()
    .verify(token)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(LogoutTokenError);
  return (error as LogoutTokenError).reason;
}

describe("createLogoutTokenVerifier", () => {
  it("returns jti, sub and sid of a good token", async () => {
    const jti = randomUUID();
    await expect(verifier().verify(await sign({ jti, sub: "bob" }))).resolves.toMatchObject({
      jti,
      sub: "bob",
      sid: "s1",
    });
  });

  it("tolerates 5 s of clock skew on iat and exp, and no more", async () => {
    await expect(verifier().verify(await sign({ iat: now() + 4 }))).resolves.toBeDefined();
    await expect(verifier().verify(await sign({ exp: now() - 4 }))).resolves.toBeDefined();
    expect(await reason(await sign({ iat: now() + 10 }))).toBe("issued_in_future");
    expect(await reason(await sign({ exp: now() - 10 }))).toBe("expired");
  });

  it("compares typ as a media type: any case, with or without application/", async () => {
    for (const typ of ["logout+jwt", "LOGOUT+JWT", "application/logout+jwt", "Application/Logout+JWT", undefined]) {
      await expect(verifier().verify(await sign({}, typ)), String(typ)).resolves.toBeDefined();
    }
    for (const typ of ["JWT", "at+jwt", "logout+jwt+x", "application/jwt", ""]) {
      expect(await reason(await sign({}, typ)), typ).toBe("typ");
    }
  });

  it("says how long the jti must be remembered: until exp, and never past the maximum age", async () => {
    const issued = now();
    const short = await verifier().verify(await sign({ iat: issued, exp: issued + 120 }));
    expect(short.acceptableUntil.getTime()).toBe((issued + 120 + 5) * 1000);
    const long = await verifier().verify(await sign({ iat: issued, exp: issued + 86_400 }));
    expect(long.acceptableUntil.getTime()).toBe((issued + 300 + 5) * 1000);
    const none = await verifier().verify(await sign({ iat: issued }));
    expect(none.acceptableUntil.getTime()).toBe((issued + 300 + 5) * 1000);
  });

  it("refuses overlong identifiers before they reach the database", async () => {
    expect(await reason(await sign({ jti: "j".repeat(256) }))).toBe("jti");
    expect(await reason(await sign({ sid: "s".repeat(256) }))).toBe("sub_or_sid");
  });

  it("tells an unreachable key source apart from a bad token", async () => {
    const down: JWTVerifyGetKey = async () => {
      throw new KeySourceError("keys unavailable");
    };
    const token = await sign();
    await expect(
      createLogoutTokenVerifier({ keys: down, issuer: ISSUER, clientId: CLIENT_ID, algorithms: ["RS256"] }).verify(
        token,
      ),
    ).rejects.toBeInstanceOf(LogoutKeysUnavailableError);
  });
});
