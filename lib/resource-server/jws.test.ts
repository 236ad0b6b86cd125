import { errors } from "jose";
import { describe, expect, it } from "vitest";

import {
  classifyJoseError,
  DEFAULT_CLOCK_TOLERANCE,
  DEFAULT_MAX_TOKEN_LENGTH,
  isCompactJwe,
  isCompactJws,
  tokenShapeProblem,
} from "./jws";
import { KeySourceError } from "./key-source";

describe("compact token shapes", () => {
  it("a JWS is three non-empty base64url parts, nothing else", () => {
    expect(isCompactJws("aA0_-.bB1.cC2")).toBe(true);
    for (const bad of [
      "a.b",
      "a.b.c.d",
      ".b.c",
      "a..c",
      "a.b.",
      "a.b.c=",
      "a+b.c.d",
      "a/b.c.d",
      " a.b.c",
      "a.b.c ",
      "a.b.c\n",
      "a.b.c,a.b.c",
      "",
    ]) {
      expect(isCompactJws(bad), bad).toBe(false);
    }
  });

  it("a JWE is five base64url parts, the second (the encrypted key) possibly empty", () => {
    expect(isCompactJwe("a.b.c.d.e")).toBe(true);
    expect(isCompactJwe("a..c.d.e")).toBe(true);
    for (const bad of ["a.b.c", ".b.c.d.e", "a.b..d.e", "a.b.c.d.", "a.b.c.d.e.f", "a.b.c.d.e\n"]) {
      expect(isCompactJwe(bad), bad).toBe(false);
    }
  });
});

describe("tokenShapeProblem", () => {
  it("names what is wrong before any parsing, in that order", () => {
    expect(tokenShapeProblem("a.b.c")).toBeUndefined();
    expect(tokenShapeProblem("")).toBe("missing");
    expect(tokenShapeProblem(undefined)).toBe("missing");
    expect(tokenShapeProblem(42)).toBe("missing");
    expect(tokenShapeProblem("not a token")).toBe("malformed");
    // Too large wins over malformed: a huge input is refused without running the pattern over it.
    expect(tokenShapeProblem("x".repeat(DEFAULT_MAX_TOKEN_LENGTH + 1))).toBe("too_large");
  });

  it("caps the length at 8192 characters by default, or at the given maximum, inclusive", () => {
    expect(DEFAULT_MAX_TOKEN_LENGTH).toBe(8192);
    const token = (length: number) => `a.b.${"c".repeat(length - 4)}`;
    expect(tokenShapeProblem(token(8192))).toBeUndefined();
    expect(tokenShapeProblem(token(8193))).toBe("too_large");
    expect(tokenShapeProblem(token(100), 100)).toBeUndefined();
    expect(tokenShapeProblem(token(101), 100)).toBe("too_large");
  });

  it("tolerates 5 s of clock skew by default", () => {
    expect(DEFAULT_CLOCK_TOLERANCE).toBe(5);
  });
});

describe("classifyJoseError", () => {
  it("keeps a key source failure apart, with its cause", () => {
    const cause = new Error("jwks answered 500");
    expect(classifyJoseError(new KeySourceError("keys unavailable", { cause }))).toEqual({
      kind: "keys_unavailable",
      cause,
    });
  });

  it("tells expiry (and which time claim) from other claim failures", () => {
    expect(classifyJoseError(new errors.JWTExpired("x", {}, "exp", "check_failed"))).toEqual({
      kind: "expired",
      claim: "exp",
    });
    expect(classifyJoseError(new errors.JWTExpired("x", {}, "iat", "check_failed"))).toEqual({
      kind: "expired",
      claim: "iat",
    });
    expect(classifyJoseError(new errors.JWTClaimValidationFailed("x", {}, "aud", "check_failed"))).toEqual({
      kind: "claim",
      claim: "aud",
      reason: "check_failed",
    });
    expect(classifyJoseError(new errors.JWTClaimValidationFailed("x", {}, "jti", "missing"))).toEqual({
      kind: "claim",
      claim: "jti",
      reason: "missing",
    });
  });

  it("names every other jose failure, and anything else is invalid", () => {
    const cases: [unknown, string][] = [
      [new errors.JWSSignatureVerificationFailed(), "signature"],
      [new errors.JOSEAlgNotAllowed("x"), "alg_not_allowed"],
      [new errors.JWKSNoMatchingKey(), "unknown_key"],
      [new errors.JWKSMultipleMatchingKeys(), "ambiguous_key"],
      [new errors.JOSENotSupported("x"), "unsupported"],
      [new errors.JWSInvalid("x"), "malformed"],
      [new errors.JWTInvalid("x"), "malformed"],
      [new errors.JWKSTimeout(), "invalid"],
      [new TypeError("odd input"), "invalid"],
      ["a string", "invalid"],
      [undefined, "invalid"],
    ];
    for (const [error, kind] of cases) expect(classifyJoseError(error), String(error)).toEqual({ kind });
  });
});
