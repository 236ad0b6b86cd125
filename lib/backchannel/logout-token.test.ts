/**
 * The logout-token verifier's own rules, beside the hostile set the route's tests run through it
 * (app/api/auth/backchannel-logout/route.test.ts): clock tolerance, `typ` spellings, how long a
 * `jti` must be remembered, and the keys being unavailable.
 */
import { randomUUID } from "node:crypto";
import { CompactSign, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";

import { createTestKey, mintLogoutToken, type TestKey } from "@/test/tokens";
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

/** A logout token from ISSUER for CLIENT_ID; `typ` undefined leaves the header without one. */
function sign(claims: Record<string, unknown> = {}, typ: string | undefined = "logout+jwt"): Promise<string> {
  return mintLogoutToken(key, { issuer: ISSUER, claims, header: { typ } });
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

/**
 * Each check of the verifier alone, at its boundary, with a reason that names it: the cases
 * `npm run test:mutation` showed no test would notice if the check were gone or loosened.
 */
describe("createLogoutTokenVerifier, check by check", () => {
  const withOptions = (extra: Partial<Parameters<typeof createLogoutTokenVerifier>[0]>) =>
    createLogoutTokenVerifier({ keys, issuer: ISSUER, clientId: CLIENT_ID, algorithms: ["RS256"], ...extra });

  async function reasonWith(verify: Promise<unknown>): Promise<string> {
    const error = await verify.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LogoutTokenError);
    return (error as LogoutTokenError).reason;
  }

  it("accepts a token without typ (the spec only recommends it)", async () => {
    const payload = {
      iss: ISSUER,
      aud: CLIENT_ID,
      iat: now(),
      jti: randomUUID(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    };
    const token = await new SignJWT({ ...payload, sid: "s1" })
      .setProtectedHeader({ alg: "RS256" })
      .sign(key.privateKey);
    await expect(verifier().verify(token)).resolves.toMatchObject({ sid: "s1" });
  });

  it("refuses no token", async () => {
    for (const token of ["", undefined, null, 42]) {
      expect(await reasonWith(verifier().verify(token as never)), String(token)).toBe("missing");
    }
  });

  it("accepts a token of exactly maxTokenLength characters, and refuses one more", async () => {
    const token = await sign();
    await expect(withOptions({ maxTokenLength: token.length }).verify(token)).resolves.toBeDefined();
    expect(await reasonWith(withOptions({ maxTokenLength: token.length - 1 }).verify(token))).toBe("too_large");
  });

  it("refuses a token longer than 8192 characters by default, before parsing it", async () => {
    const token = await sign({ pad: "p".repeat(8192) });
    expect(await reason(token)).toBe("too_large");
    const fits = await sign({ pad: "p".repeat(5000) });
    expect(fits.length).toBeLessThanOrEqual(8192);
    await expect(verifier().verify(fits)).resolves.toBeDefined();
  });

  it("refuses anything before or after the three segments (jose's decoder would skip white space)", async () => {
    const token = await sign();
    for (const hostile of [`${token}\n`, `${token} `, ` ${token}`, `\t${token}`, `${token}.x`, `x.${token}`]) {
      expect(await reason(hostile), JSON.stringify(hostile)).toBe("malformed");
    }
  });

  it("refuses a jti that is not a non-empty string of at most 255 characters", async () => {
    await expect(verifier().verify(await sign({ jti: "j".repeat(255) }))).resolves.toMatchObject({
      jti: "j".repeat(255),
    });
    for (const jti of ["", 42, ["a"], { id: "a" }, true, "j".repeat(256)]) {
      expect(await reason(await sign({ jti })), JSON.stringify(jti)).toBe("jti");
    }
  });

  it("refuses events that are not an object holding the back-channel logout event as an object", async () => {
    for (const events of [
      "logout",
      [BACKCHANNEL_LOGOUT_EVENT],
      null,
      {},
      { [BACKCHANNEL_LOGOUT_EVENT]: "yes" },
      { [BACKCHANNEL_LOGOUT_EVENT]: null },
      { [BACKCHANNEL_LOGOUT_EVENT]: [] },
      { "http://schemas.openid.net/event/other": {} },
    ]) {
      expect(await reason(await sign({ events })), JSON.stringify(events)).toBe("events");
    }
  });

  it("refuses sub or sid that are not non-empty strings of at most 255 characters", async () => {
    await expect(verifier().verify(await sign({ sid: "s".repeat(255), sub: "u".repeat(255) }))).resolves.toMatchObject({
      sid: "s".repeat(255),
      sub: "u".repeat(255),
    });
    for (const value of ["", 42, ["s1"], { id: "s1" }, null, "x".repeat(256)]) {
      expect(await reason(await sign({ sid: value })), `sid ${JSON.stringify(value)}`).toBe("sub_or_sid");
      expect(await reason(await sign({ sub: value })), `sub ${JSON.stringify(value)}`).toBe("sub_or_sid");
    }
  });

  it("needs sid or sub, and accepts either alone", async () => {
    expect(await reason(await sign({ sid: undefined }))).toBe("no_sub_or_sid");
    await expect(verifier().verify(await sign({ sid: undefined, sub: "bob" }))).resolves.toMatchObject({ sub: "bob" });
    await expect(verifier().verify(await sign({ sid: "s9" }))).resolves.toMatchObject({ sid: "s9", sub: undefined });
  });

  it("refuses a nonce, whatever its value", async () => {
    for (const nonce of ["n", "", null]) {
      expect(await reason(await sign({ nonce })), JSON.stringify(nonce)).toBe("nonce");
    }
  });

  it("names what jose refused: issuer, audience, age, claims, signature, algorithm, key", async () => {
    const issued = now();
    expect(await reason(await sign({ iss: "https://other.example" }))).toBe("iss_check_failed");
    expect(await reason(await sign({ aud: "someone-else" }))).toBe("aud_check_failed");
    expect(await reason(await sign({ iat: issued - 306 }))).toBe("too_old");
    expect(await reason(await sign({ iat: undefined }))).toBe("iat_missing");
    expect(await reason(await sign({ jti: undefined }))).toBe("jti_missing");
    expect(await reason(await sign({ events: undefined }))).toBe("events_missing");
    const token = await sign();
    const [header, payload] = token.split(".");
    const other = (await sign()).split(".")[2];
    expect(await reason(`${header}.${payload}.${other}`)).toBe("signature");
    expect(await reasonWith(withOptions({ algorithms: ["ES256"] }).verify(token))).toBe("alg_not_allowed");
    expect(await reason(`${encode({ alg: "RS256" })}.${payload}.${other}`)).toBe("signature");
    expect(await reason(`${encode({ alg: "none" })}.${payload}.${other}`)).toBe("alg_not_allowed");
    const notAnObject = await new CompactSign(new TextEncoder().encode('"not an object"'))
      .setProtectedHeader({ alg: "RS256" })
      .sign(key.privateKey);
    expect(await reason(notAnObject)).toBe("malformed");
    expect(await reason(`e30.${payload}.${other}`)).toBe("malformed");
  });

  it("tolerates exactly clockTolerance seconds past the maximum age, and honours both options", async () => {
    const issued = now();
    await expect(
      withOptions({ maxAge: 60, clockTolerance: 0 }).verify(await sign({ iat: issued - 59 })),
    ).resolves.toBeDefined();
    expect(
      await reasonWith(withOptions({ maxAge: 60, clockTolerance: 0 }).verify(await sign({ iat: issued - 62 }))),
    ).toBe("too_old");
    const result = await withOptions({ maxAge: 60, clockTolerance: 1 }).verify(await sign({ iat: issued }));
    expect(result.acceptableUntil.getTime()).toBe((issued + 61) * 1000);
  });

  it("maps each error of the key lookup to its reason", async () => {
    const token = await sign();
    const failing = (error: unknown) =>
      withOptions({
        keys: async () => {
          throw error;
        },
      }).verify(token);
    const { errors } = await import("jose");
    expect(await reasonWith(failing(new errors.JWKSNoMatchingKey()))).toBe("unknown_key");
    expect(await reasonWith(failing(new errors.JWKSMultipleMatchingKeys()))).toBe("ambiguous_key");
    expect(await reasonWith(failing(new errors.JOSENotSupported("no")))).toBe("unsupported");
    expect(await reasonWith(failing(new errors.JWSInvalid("no")))).toBe("malformed");
    expect(await reasonWith(failing(new errors.JWTInvalid("no")))).toBe("malformed");
    expect(await reasonWith(failing(new TypeError("odd")))).toBe("invalid");
  });

  it("keeps the key source's cause on LogoutKeysUnavailableError", async () => {
    const cause = new Error("jwks answered 500");
    const error = await withOptions({
      keys: async () => {
        throw new KeySourceError("keys unavailable", { cause });
      },
    })
      .verify(await sign())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LogoutKeysUnavailableError);
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).name).toBe("LogoutKeysUnavailableError");
    expect((error as Error).message).toBe("the IdP's keys cannot be fetched");
    expect(new LogoutTokenError("jti")).toMatchObject({
      name: "LogoutTokenError",
      reason: "jti",
      message: "not a valid logout token (jti)",
    });
  });
});

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
