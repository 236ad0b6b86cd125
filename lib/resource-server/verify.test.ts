import { CompactSign, UnsecuredJWT, base64url, exportPKCS8, exportSPKI, importPKCS8 } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { ROLES_CLAIM } from "../shared/claims";
import { InvalidTokenError, TemporarilyUnavailableError } from "./errors";
import { DISCOVERY_PATH, JWKS_PATH, startFakeOp, type FakeOp } from "../../test/fake-op";
import {
  AUDIENCE,
  CLIENT_ID,
  OTHER_AUDIENCE,
  createTestKey,
  decodeSegment,
  encodeSegment,
  mintAccessToken,
  type TestKey,
} from "../../test/tokens";
import { createAccessTokenVerifier, type AccessTokenVerifierOptions } from "./verify";

let idp: FakeOp;
let rsa: TestKey;
let ec: TestKey;
let attacker: TestKey;

beforeAll(async () => {
  [rsa, ec, attacker] = await Promise.all([createTestKey("RS256"), createTestKey("ES256"), createTestKey("RS256")]);
  idp = await startFakeOp({ keys: [rsa, ec] });
});
afterAll(() => idp.close());
afterEach(() => {
  vi.useRealTimers();
  idp.publish([rsa, ec]);
  idp.fail("discovery", undefined);
  idp.fail("jwks", undefined);
  idp.discovery = {};
});

const verifierFor = (overrides: Partial<AccessTokenVerifierOptions> = {}) =>
  createAccessTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE, ...overrides });
const mint = (
  key: Parameters<typeof mintAccessToken>[0] = rsa,
  options: Omit<Parameters<typeof mintAccessToken>[1], "issuer"> = {},
) => mintAccessToken(key, { issuer: idp.issuer, ...options });
const now = () => Math.floor(Date.now() / 1000);
/** Move the (Date-only) clock: jose's JWKS cooldown and our backoff read Date.now(). */
const advanceClock = (ms: number) => {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + ms });
};

async function refusal(promise: Promise<unknown>): Promise<InvalidTokenError> {
  const error = await promise.then(
    () => expect.unreachable("the token was accepted"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return error as InvalidTokenError;
}
const refusedFor = async (promise: Promise<unknown>, reason: string) =>
  expect((await refusal(promise)).reason).toBe(reason);

/** Re-sign nothing: swap the payload of a real token and keep its signature. */
function withPayload(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split(".");
  const claims = decodeSegment(payload!);
  change(claims);
  return [header, encodeSegment(claims), signature].join(".");
}

describe("valid tokens", () => {
  it("accepts an RS256 access token and returns its claims and header", async () => {
    const { payload, protectedHeader } = await verifierFor().verify(
      await mint(rsa, { claims: { [ROLES_CLAIM]: ["admin"] } }),
    );
    expect(payload).toMatchObject({ iss: idp.issuer, sub: "user-alice", aud: AUDIENCE, client_id: CLIENT_ID });
    expect(payload[ROLES_CLAIM]).toEqual(["admin"]);
    expect(protectedHeader).toMatchObject({ alg: "RS256", kid: rsa.kid, typ: "at+jwt" });
  });

  it("accepts an ES256 access token", async () => {
    const { protectedHeader } = await verifierFor().verify(await mint(ec));
    expect(protectedHeader.alg).toBe("ES256");
  });

  it("accepts an audience list that contains the API, and the long typ form", async () => {
    const token = await mint(rsa, {
      claims: { aud: [OTHER_AUDIENCE, AUDIENCE] },
      header: { typ: "application/at+jwt" },
    });
    await expect(verifierFor().verify(token)).resolves.toBeDefined();
  });

  it("tolerates a few seconds of clock skew on exp and nbf", async () => {
    const justExpired = await mint(rsa, { claims: { exp: now() - 2 } });
    const almostValid = await mint(rsa, { claims: { nbf: now() + 3 } });
    await expect(verifierFor().verify(justExpired)).resolves.toBeDefined();
    await expect(verifierFor().verify(almostValid)).resolves.toBeDefined();
    await refusedFor(verifierFor({ clockTolerance: 0 }).verify(justExpired), "expired");
    await refusedFor(verifierFor({ clockTolerance: 0 }).verify(almostValid), "not_yet_valid");
  });
});

describe("tokens for someone else", () => {
  it("refuses another issuer", async () => {
    await refusedFor(verifierFor().verify(await mint(rsa, { claims: { iss: "https://evil.example" } })), "iss");
  });

  it("refuses a real token for the other API", async () => {
    await refusedFor(verifierFor().verify(await mint(rsa, { claims: { aud: OTHER_AUDIENCE } })), "aud");
  });

  it("refuses a token without the at+jwt type", async () => {
    await refusedFor(verifierFor().verify(await mint(rsa, { header: { typ: "JWT" } })), "typ");
    await refusedFor(verifierFor().verify(await mint(rsa, { header: { typ: undefined } })), "typ");
  });

  it("refuses an ID token used as an access token, with or without the typ check", async () => {
    const idToken = await mint(rsa, {
      header: { typ: undefined },
      claims: { aud: CLIENT_ID, nonce: "n-0S6_WzA2Mj", azp: CLIENT_ID, scope: undefined, client_id: undefined },
    });
    await refusedFor(verifierFor().verify(idToken), "typ");
    await refusedFor(verifierFor({ requiredTyp: false }).verify(idToken), "aud");
  });

  it("requires sub as a non-empty string, and exp", async () => {
    await refusedFor(verifierFor().verify(await mint(rsa, { claims: { sub: undefined } })), "claims");
    await refusedFor(verifierFor().verify(await mint(rsa, { claims: { sub: "" } })), "sub");
    await refusedFor(verifierFor().verify(await mint(rsa, { claims: { sub: 42 } })), "sub");
    await refusedFor(verifierFor().verify(await mint(rsa, { claims: { exp: undefined } })), "claims");
  });
});

describe("time", () => {
  it("refuses an expired token", async () => {
    await refusedFor(
      verifierFor().verify(await mint(rsa, { claims: { iat: now() - 400, exp: now() - 60 } })),
      "expired",
    );
  });

  it("refuses a token that is not valid yet", async () => {
    await refusedFor(verifierFor().verify(await mint(rsa, { claims: { nbf: now() + 60 } })), "not_yet_valid");
  });
});

describe("forged and tampered tokens", () => {
  it("refuses a tampered payload (roles added, signature kept)", async () => {
    const token = withPayload(await mint(rsa), (claims) => (claims[ROLES_CLAIM] = ["admin"]));
    await refusedFor(verifierFor().verify(token), "signature");
  });

  it("refuses a token signed with the attacker's own key under the IdP's real kid", async () => {
    await refusedFor(verifierFor().verify(await mint({ ...attacker, kid: rsa.kid })), "signature");
  });

  it("refuses alg none, with or without a signature segment", async () => {
    const unsigned = new UnsecuredJWT({ iss: idp.issuer, aud: AUDIENCE, sub: "user-alice", exp: now() + 300 }).encode();
    await refusedFor(verifierFor().verify(unsigned), "malformed");
    const [header, payload] = unsigned.split(".");
    await refusedFor(verifierFor().verify(`${header}.${payload}.AAAA`), "alg_not_allowed");
  });

  it("refuses HS256 signed with the IdP's public key (PEM or JWK bytes) as the HMAC secret", async () => {
    const pem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const jwkBytes = new TextEncoder().encode(JSON.stringify(rsa.jwk));
    for (const secret of [pem, jwkBytes]) {
      const token = await mint({ kid: rsa.kid, alg: "HS256", privateKey: secret });
      await refusedFor(verifierFor().verify(token), "alg_not_allowed");
    }
  });

  it("refuses an algorithm outside the allow-list even when the IdP's key signed it", async () => {
    const rs384 = await importPKCS8(await exportPKCS8(rsa.privateKey), "RS384");
    await refusedFor(
      verifierFor().verify(await mint({ kid: rsa.kid, alg: "RS384", privateKey: rs384 })),
      "alg_not_allowed",
    );
  });

  it("refuses psychic ECDSA signatures (r = s = 0)", async () => {
    const [header, payload] = (await mint(ec, { claims: { [ROLES_CLAIM]: ["admin"] } })).split(".");
    const raw = base64url.encode(new Uint8Array(64));
    const der = base64url.encode(Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00));
    await refusedFor(verifierFor().verify(`${header}.${payload}.${raw}`), "signature");
    await refusedFor(verifierFor().verify(`${header}.${payload}.${der}`), "signature");
  });

  it("ignores keys the token brings along (jwk, jku, x5u): only the issuer's JWKS counts", async () => {
    const before = idp.requests.length;
    const injected = {
      jwk: attacker.jwk,
      jku: `${idp.origin}/attacker-jwks`,
      x5u: `${idp.origin}/attacker-cert`,
    };
    await refusedFor(verifierFor().verify(await mint(attacker, { header: injected })), "unknown_key");
    await refusedFor(
      verifierFor().verify(await mint({ ...attacker, kid: rsa.kid }, { header: injected })),
      "signature",
    );
    const fetched = idp.requests.slice(before);
    expect(fetched).not.toContain("/attacker-jwks");
    expect(fetched).not.toContain("/attacker-cert");
    expect(fetched.every((path) => path === DISCOVERY_PATH || path === JWKS_PATH)).toBe(true);
  });

  it("refuses a crit header naming an extension it does not understand", async () => {
    const token = await mint(rsa, {
      header: { crit: ["https://evil.example/skip-checks"], "https://evil.example/skip-checks": true },
      crit: { "https://evil.example/skip-checks": true },
    });
    await refusedFor(verifierFor().verify(token), "unsupported");
  });
});

describe("malformed tokens", () => {
  it("refuses things that are not a compact JWS", async () => {
    const verifier = verifierFor();
    for (const token of ["abc", "a.b", "a.b.c.d.e", "a..c", "a.b.c!", "a.b.c ", "ä.b.c"]) {
      await refusedFor(verifier.verify(token), "malformed");
    }
    await refusedFor(verifier.verify(undefined as unknown as string), "missing");
  });

  it("refuses a header or payload that is not base64url JSON", async () => {
    const [header, payload, signature] = (await mint(rsa)).split(".");
    await refusedFor(verifierFor().verify(`eyJhbGciOi.${payload}.${signature}`), "malformed");
    await refusedFor(verifierFor().verify(`${base64url.encode("[1,2]")}.${payload}.${signature}`), "malformed");
    await refusedFor(verifierFor().verify(`${header}.bm90IGpzb24.${signature}`), "signature");
  });

  it("refuses a payload that is not a JSON object even when properly signed", async () => {
    for (const body of ["not json", "[1,2,3]", "null"]) {
      const token = await new CompactSign(new TextEncoder().encode(body))
        .setProtectedHeader({ alg: "RS256", kid: rsa.kid, typ: "at+jwt" })
        .sign(rsa.privateKey);
      await refusedFor(verifierFor().verify(token), "malformed");
    }
  });

  it("refuses an oversized token before parsing it or fetching keys", async () => {
    const before = idp.requests.length;
    const huge = `${"a".repeat(5000)}.${"b".repeat(5000)}.c`;
    await refusedFor(verifierFor().verify(huge), "too_large");
    const padded = await mint(rsa, { claims: { padding: "x".repeat(2000) } });
    await refusedFor(verifierFor({ maxTokenLength: 1024 }).verify(padded), "too_large");
    expect(idp.requests.length).toBe(before);
  });
});

describe("keys: discovery, caching and refetching", () => {
  it("discovers the JWKS lazily, once, and caches it", async () => {
    const before = { discovery: idp.count(DISCOVERY_PATH), jwks: idp.count(JWKS_PATH) };
    const verifier = verifierFor();
    expect(idp.count(DISCOVERY_PATH)).toBe(before.discovery);
    await Promise.all(Array.from({ length: 5 }, async () => verifier.verify(await mint(rsa))));
    await verifier.verify(await mint(ec));
    expect(idp.count(DISCOVERY_PATH) - before.discovery).toBe(1);
    expect(idp.count(JWKS_PATH) - before.jwks).toBe(1);
  });

  it("handles an issuer with a trailing slash (Auth0 style)", async () => {
    const slashed = await startFakeOp({ keys: [rsa], trailingSlash: true });
    try {
      const verifier = createAccessTokenVerifier({ issuer: slashed.issuer, audience: AUDIENCE });
      await expect(verifier.verify(await mintAccessToken(rsa, { issuer: slashed.issuer }))).resolves.toBeDefined();
      expect(slashed.requests).toEqual([DISCOVERY_PATH, JWKS_PATH]);
    } finally {
      await slashed.close();
    }
  });

  it("uses an explicit jwksUri without discovery", async () => {
    const before = idp.count(DISCOVERY_PATH);
    await verifierFor({ jwksUri: idp.jwksUri }).verify(await mint(rsa));
    expect(idp.count(DISCOVERY_PATH)).toBe(before);
  });

  it("picks up a rotated-in key on an unknown kid, but only after the cooldown", async () => {
    const verifier = verifierFor({ jwksUri: idp.jwksUri });
    await verifier.verify(await mint(rsa));
    const fetches = idp.count(JWKS_PATH);
    const rotated = await createTestKey("RS256");
    idp.publish([rsa, ec, rotated]);

    await refusedFor(verifier.verify(await mint(rotated)), "unknown_key");
    expect(idp.count(JWKS_PATH)).toBe(fetches);

    advanceClock(31_000);
    await expect(verifier.verify(await mint(rotated))).resolves.toBeDefined();
    expect(idp.count(JWKS_PATH)).toBe(fetches + 1);
  });

  it("turns an unknown-kid flood into at most one JWKS fetch per cooldown, and keeps serving", async () => {
    const verifier = verifierFor({ jwksUri: idp.jwksUri });
    await verifier.verify(await mint(rsa));
    const fetches = idp.count(JWKS_PATH);
    const flood = async () => {
      const tokens = await Promise.all(
        Array.from({ length: 40 }, () => mint({ ...attacker, kid: crypto.randomUUID() })),
      );
      const results = await Promise.allSettled(tokens.map((token) => verifier.verify(token)));
      expect(results.every((result) => result.status === "rejected" && result.reason.reason === "unknown_key")).toBe(
        true,
      );
    };

    await flood();
    expect(idp.count(JWKS_PATH)).toBe(fetches);
    advanceClock(31_000);
    await flood();
    await flood();
    expect(idp.count(JWKS_PATH)).toBe(fetches + 1);
    await expect(verifier.verify(await mint(rsa))).resolves.toBeDefined();
  });
});

describe("an issuer that cannot be reached", () => {
  async function unavailable(promise: Promise<unknown>) {
    const error = await promise.then(
      () => expect.unreachable("the token was accepted"),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TemporarilyUnavailableError);
    expect(error).toMatchObject({ status: 503, code: "temporarily_unavailable" });
  }

  it("answers 503, not 401, when nothing listens at the issuer", async () => {
    const gone = await startFakeOp();
    await gone.close();
    const verifier = createAccessTokenVerifier({ issuer: gone.issuer, audience: AUDIENCE, timeoutDuration: 1000 });
    await unavailable(verifier.verify(await mintAccessToken(rsa, { issuer: gone.issuer })));
  });

  it("backs off after a failed discovery instead of retrying on every request, then recovers", async () => {
    idp.fail("discovery", 500);
    const verifier = verifierFor();
    const before = idp.count(DISCOVERY_PATH);
    const token = await mint(rsa);
    await unavailable(verifier.verify(token));
    await unavailable(verifier.verify(token));
    expect(idp.count(DISCOVERY_PATH)).toBe(before + 1);

    idp.fail("discovery", undefined);
    advanceClock(6_000);
    await expect(verifier.verify(await mint(rsa))).resolves.toBeDefined();
    expect(idp.count(DISCOVERY_PATH)).toBe(before + 2);
  });

  it("backs off after a failed JWKS fetch too", async () => {
    idp.fail("jwks", 502);
    const verifier = verifierFor({ jwksUri: idp.jwksUri });
    const before = idp.count(JWKS_PATH);
    const token = await mint(rsa);
    await unavailable(verifier.verify(token));
    await unavailable(verifier.verify(await mint({ ...attacker, kid: "unknown" })));
    expect(idp.count(JWKS_PATH)).toBe(before + 1);
  });

  it("refuses a discovery document that names another issuer (mix-up)", async () => {
    idp.discovery = { issuer: "https://evil.example" };
    await unavailable(verifierFor().verify(await mint(rsa)));
  });
});

describe("configuration", () => {
  it("refuses symmetric, none, or no algorithms at start-up", () => {
    for (const algorithms of [["HS256"], ["none"], [], ["RS256", "HS512"]]) {
      expect(() => verifierFor({ algorithms: algorithms as never })).toThrow(TypeError);
    }
  });

  it("refuses an empty issuer or audience", () => {
    expect(() => verifierFor({ issuer: "" })).toThrow(TypeError);
    expect(() => verifierFor({ audience: [] })).toThrow(TypeError);
    expect(() => verifierFor({ issuer: "claimtrip" })).toThrow(TypeError);
    expect(() => verifierFor({ issuer: "claimtrip", jwksUri: idp.jwksUri })).not.toThrow();
  });
});

describe("what an error carries", () => {
  it("keeps neither the token nor its claims", async () => {
    const token = await mint(rsa, { claims: { exp: now() - 60, iat: now() - 400, [ROLES_CLAIM]: ["admin"] } });
    const error = await refusal(verifierFor().verify(token));
    expect(error.cause).toBeUndefined();
    const dump = JSON.stringify({ ...error, message: error.message, stack: error.stack });
    expect(dump).not.toContain(token.split(".")[1]);
    expect(dump).not.toContain("user-alice");
  });
});
