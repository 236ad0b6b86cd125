/**
 * The verifier's own checks one at a time, at their boundaries, with keys handed in directly (no
 * discovery, no HTTP): option validation, the length limit, the compact-JWS pattern's anchors, the
 * defaults, and which reason and description each jose error becomes. verify.test.ts covers the
 * same verifier against a fake OpenID Provider; `npm run test:mutation` found what it left open.
 */
import { errors, type JWTVerifyGetKey } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { ASYMMETRIC_ALGORITHMS } from "./algorithms";
import { AUDIENCE, createTestKey, mintAccessToken, type TestKey } from "../../test/tokens";
import { BearerError, InvalidTokenError, TemporarilyUnavailableError } from "./errors";
import { KeySourceError } from "./key-source";
import { createAccessTokenVerifier, type AccessTokenVerifierOptions } from "./verify";

const ISSUER = "https://idp.example";
const NOW = 1_800_000_000;

let rsa: TestKey;
let ec: TestKey;
let ps: TestKey;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  [rsa, ec, ps] = await Promise.all([createTestKey("RS256"), createTestKey("ES256"), createTestKey("PS256")]);
  const byKid = new Map([rsa, ec, ps].map((key) => [key.kid, key.publicKey]));
  keys = async (header) => byKid.get(header.kid!)!;
});
afterEach(() => vi.useRealTimers());

const verifierFor = (overrides: Partial<AccessTokenVerifierOptions> = {}) =>
  createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys, ...overrides });
const mint = (key: TestKey = rsa, options: Omit<Parameters<typeof mintAccessToken>[1], "issuer"> = {}) =>
  mintAccessToken(key, { issuer: ISSUER, ...options });
const freeze = () => vi.useFakeTimers({ toFake: ["Date"], now: NOW * 1000 });

async function refusal(promise: Promise<unknown>): Promise<InvalidTokenError> {
  const error = await promise.then(
    () => expect.unreachable("the token was accepted"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return error as InvalidTokenError;
}
const reason = async (promise: Promise<unknown>) => (await refusal(promise)).reason;

describe("options", () => {
  it("refuses an issuer that is not a non-empty string", () => {
    for (const issuer of [undefined, 42, ""]) {
      expect(() => verifierFor({ issuer: issuer as never }), String(issuer)).toThrow(
        new TypeError("issuer must be a non-empty string"),
      );
    }
  });

  it("refuses an issuer that is not a URL unless jwksUri says where the keys are", () => {
    expect(() => createAccessTokenVerifier({ issuer: "idp", audience: AUDIENCE })).toThrow(
      new TypeError("issuer must be a URL when jwksUri is not given"),
    );
    expect(() =>
      createAccessTokenVerifier({ issuer: "idp", audience: AUDIENCE, jwksUri: "https://idp.example/jwks" }),
    ).not.toThrow();
  });

  it("refuses an empty audience, an empty list, or a list with an empty or non-string member", () => {
    for (const audience of ["", [], ["api", ""], ["api", 42]]) {
      expect(() => verifierFor({ audience: audience as never }), JSON.stringify(audience)).toThrow(
        new TypeError("audience must be a non-empty string or list of them"),
      );
    }
  });

  it("accepts a token for any audience of the list", async () => {
    const verifier = verifierFor({ audience: ["urn:other", AUDIENCE] });
    await expect(verifier.verify(await mint())).resolves.toBeDefined();
  });

  it("refuses no algorithm, or a list where any algorithm is symmetric or none", () => {
    const message = `algorithms must be a non-empty subset of ${ASYMMETRIC_ALGORITHMS.join(", ")}`;
    for (const algorithms of [[], ["HS256"], ["RS256", "HS256"], ["none", "RS256"]]) {
      expect(() => verifierFor({ algorithms: algorithms as never }), JSON.stringify(algorithms)).toThrow(
        new TypeError(message),
      );
    }
  });

  it("accepts RS256 and ES256 by default, and nothing else", async () => {
    const verifier = verifierFor();
    await expect(verifier.verify(await mint(rsa))).resolves.toBeDefined();
    await expect(verifier.verify(await mint(ec))).resolves.toBeDefined();
    expect(await reason(verifier.verify(await mint(ps)))).toBe("alg_not_allowed");
    await expect(verifierFor({ algorithms: ["PS256"] }).verify(await mint(ps))).resolves.toBeDefined();
  });

  it("requires typ at+jwt by default, another typ when told, and none when told false", async () => {
    const jwt = await mint(rsa, { header: { typ: "JWT" } });
    expect(await reason(verifierFor().verify(jwt))).toBe("typ");
    await expect(verifierFor({ requiredTyp: false }).verify(jwt)).resolves.toBeDefined();
    await expect(verifierFor({ requiredTyp: "JWT" }).verify(jwt)).resolves.toBeDefined();
    expect(await reason(verifierFor({ requiredTyp: "JWT" }).verify(await mint()))).toBe("typ");
  });

  it("requires the extra claims it is told to, on top of sub and exp", async () => {
    const verifier = verifierFor({ requiredClaims: ["scope"] });
    expect(await reason(verifier.verify(await mint(rsa, { claims: { scope: undefined } })))).toBe("claims");
    await expect(verifier.verify(await mint(rsa, { claims: { scope: "read" } }))).resolves.toBeDefined();
    expect(await reason(verifierFor().verify(await mint(rsa, { claims: { exp: undefined } })))).toBe("claims");
    expect(await reason(verifierFor().verify(await mint(rsa, { claims: { sub: undefined } })))).toBe("claims");
  });

  it("tolerates 5 seconds of clock skew by default, and the configured amount", async () => {
    freeze();
    const verifier = verifierFor();
    await expect(verifier.verify(await mint(rsa, { claims: { iat: NOW - 60, exp: NOW - 4 } }))).resolves.toBeDefined();
    expect(await reason(verifier.verify(await mint(rsa, { claims: { iat: NOW - 60, exp: NOW - 6 } })))).toBe("expired");
    await expect(verifier.verify(await mint(rsa, { claims: { iat: NOW, nbf: NOW + 4 } }))).resolves.toBeDefined();
    expect(await reason(verifier.verify(await mint(rsa, { claims: { iat: NOW, nbf: NOW + 6 } })))).toBe(
      "not_yet_valid",
    );
    const strict = verifierFor({ clockTolerance: 0 });
    expect(await reason(strict.verify(await mint(rsa, { claims: { iat: NOW - 60, exp: NOW - 1 } })))).toBe("expired");
  });
});

describe("before parsing", () => {
  it("refuses no token", async () => {
    for (const token of ["", undefined, null, 42]) {
      const error = await refusal(verifierFor().verify(token as never));
      expect(error.reason, String(token)).toBe("missing");
      expect(error.description).toBe("An access token is required");
    }
  });

  it("accepts a token of exactly maxTokenLength characters, and refuses one more", async () => {
    const token = await mint();
    await expect(verifierFor({ maxTokenLength: token.length }).verify(token)).resolves.toBeDefined();
    const error = await refusal(verifierFor({ maxTokenLength: token.length - 1 }).verify(token));
    expect(error.reason).toBe("too_large");
    expect(error.description).toBe("The access token is too large");
  });

  it("refuses tokens over 8192 characters by default", async () => {
    const big = await mint(rsa, { claims: { pad: "p".repeat(8192) } });
    expect(await reason(verifierFor().verify(big))).toBe("too_large");
    const fits = await mint(rsa, { claims: { pad: "p".repeat(5000) } });
    await expect(verifierFor().verify(fits)).resolves.toBeDefined();
  });

  it("refuses anything before or after the three segments (jose's decoder would skip white space)", async () => {
    const token = await mint();
    for (const hostile of [`${token}\n`, `${token} `, ` ${token}`, `\t${token}`, `${token}.x`, `x.${token}`]) {
      const error = await refusal(verifierFor().verify(hostile));
      expect(error.reason, JSON.stringify(hostile)).toBe("malformed");
      expect(error.description).toBe("The access token is malformed");
    }
  });
});

describe("what each failure becomes", () => {
  it("returns the claims and the protected header of a good token", async () => {
    const token = await mint(rsa, { claims: { sub: "alice" } });
    const { payload, protectedHeader } = await verifierFor().verify(token);
    expect(payload).toMatchObject({ sub: "alice", iss: ISSUER, aud: AUDIENCE });
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "at+jwt", kid: rsa.kid });
  });

  it("refuses an empty sub", async () => {
    const error = await refusal(verifierFor().verify(await mint(rsa, { claims: { sub: "" } })));
    expect(error.reason).toBe("sub");
    expect(error.description).toBe("The access token is not valid for this API");
  });

  it("gives each claim failure its reason and fixed description", async () => {
    freeze();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ iat: NOW - 60, exp: NOW - 60 }, "expired", "The access token expired"],
      [{ iat: NOW, nbf: NOW + 60 }, "not_yet_valid", "The access token is not valid yet"],
      [{ iss: "https://other.example" }, "iss", "The access token is not valid for this API"],
      [{ aud: "urn:other" }, "aud", "The access token is not valid for this API"],
      [{ exp: undefined }, "claims", "The access token is not valid for this API"],
    ];
    for (const [claims, expected, description] of cases) {
      const error = await refusal(verifierFor().verify(await mint(rsa, { claims: { iat: NOW, ...claims } })));
      expect([error.reason, error.description], expected).toEqual([expected, description]);
    }
    const typ = await refusal(verifierFor().verify(await mint(rsa, { header: { typ: "JWT" } })));
    expect([typ.reason, typ.description]).toEqual(["typ", "The token is not an access token"]);
  });

  it("gives signature, algorithm and format failures their reason and fixed description", async () => {
    const [header, payload] = (await mint()).split(".");
    const otherSignature = (await mint(rsa, { claims: { sub: "mallory" } })).split(".")[2];
    const forged = await refusal(verifierFor().verify(`${header}.${payload}.${otherSignature}`));
    expect([forged.reason, forged.description]).toEqual(["signature", "The access token signature is invalid"]);
    const alg = await refusal(verifierFor({ algorithms: ["ES256"] }).verify(await mint()));
    expect([alg.reason, alg.description]).toEqual(["alg_not_allowed", "The access token algorithm is not allowed"]);
    const format = await refusal(verifierFor().verify(`e30.${payload}.${otherSignature}`));
    expect([format.reason, format.description]).toEqual(["malformed", "The access token is malformed"]);
  });

  it("maps each error of the key lookup to its reason and fixed description", async () => {
    const token = await mint();
    const failing = (error: unknown) =>
      verifierFor({
        keys: async () => {
          throw error;
        },
      }).verify(token);
    const cases: [unknown, string, string][] = [
      [new errors.JWKSNoMatchingKey(), "unknown_key", "The access token was signed with an unknown key"],
      [new errors.JWKSMultipleMatchingKeys(), "ambiguous_key", "The access token does not identify its key"],
      [new errors.JOSENotSupported("x"), "unsupported", "The access token uses an unsupported algorithm or header"],
      [new errors.JWSInvalid("x"), "malformed", "The access token is malformed"],
      [new errors.JWTInvalid("x"), "malformed", "The access token is malformed"],
      [new TypeError("odd input"), "invalid", "The access token is invalid"],
    ];
    for (const [thrown, expected, description] of cases) {
      const error = await refusal(failing(thrown));
      expect([error.reason, error.description], expected).toEqual([expected, description]);
      expect(error.cause).toBeUndefined();
    }
  });

  it("passes a BearerError from the key lookup through unchanged", async () => {
    const own = new TemporarilyUnavailableError("down", "own", { retryAfter: 7 });
    const verifier = verifierFor({
      keys: async () => {
        throw own;
      },
    });
    await expect(verifier.verify(await mint())).rejects.toBe(own);
    expect(own).toBeInstanceOf(BearerError);
  });

  it("answers 503 with Retry-After of failureBackoff in seconds when the keys cannot be fetched", async () => {
    const cause = new Error("jwks answered 500");
    const down: JWTVerifyGetKey = async () => {
      throw new KeySourceError("keys unavailable", { cause });
    };
    const token = await mint();
    for (const [failureBackoff, retryAfter] of [
      [undefined, 5],
      [12_000, 12],
      [30_000, 30],
    ] as const) {
      const error = await verifierFor({ keys: down, failureBackoff })
        .verify(token)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TemporarilyUnavailableError);
      expect(error).toMatchObject({
        retryAfter,
        reason: "keys_unavailable",
        description: "The token issuer's keys cannot be fetched right now",
      });
      expect((error as Error).cause).toBe(cause);
    }
  });
});
