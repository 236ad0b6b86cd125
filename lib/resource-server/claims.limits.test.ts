/**
 * The claim checks' errors, exactly: a list of scopes with one malformed member is a programming
 * error however many others are fine, and each refusal carries its own reason and description.
 * claims.test.ts covers the checks; `npm run test:mutation` found what it left open.
 */
import { describe, expect, it } from "vitest";

import { claimIncludes, requireClaimIncludes, requireScopes } from "./claims";
import { InsufficientScopeError } from "./errors";
import type { VerifiedAccessToken } from "./verify";

const tokenWith = (claims: Record<string, unknown>) =>
  ({
    payload: { iss: "http://localhost:4000", sub: "user-bob", aud: "http://localhost:3000/api", exp: 2e9, ...claims },
    protectedHeader: { alg: "RS256", typ: "at+jwt" },
  }) as unknown as VerifiedAccessToken;

describe("requireScopes", () => {
  const token = tokenWith({ scope: "read write" });

  it("refuses a list where any scope is malformed, even when the others are fine and granted", () => {
    for (const scopes of [
      ["read", "bad scope"],
      ["bad\\scope", "read"],
      ["read", 'q"uote'],
      ["read", ""],
    ]) {
      expect(() => requireScopes(token, ...scopes), JSON.stringify(scopes)).toThrow(
        new TypeError("requireScopes needs one or more valid scope tokens"),
      );
    }
    expect(() => requireScopes(token)).toThrow(new TypeError("requireScopes needs one or more valid scope tokens"));
  });

  it("refuses a missing scope with reason scope, a fixed description and the scopes needed", () => {
    const error = (() => {
      try {
        requireScopes(token, "read", "admin");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      reason: "scope",
      description: "The access token lacks a required scope",
      scopes: ["read", "admin"],
    });
  });
});

describe("claimIncludes and requireClaimIncludes", () => {
  it("refuse to check no values, saying so", () => {
    expect(() => claimIncludes(tokenWith({}), "roles")).toThrow(
      new TypeError("claimIncludes needs one or more values"),
    );
  });

  it("name the claim in the reason, with a fixed description", () => {
    const error = (() => {
      try {
        requireClaimIncludes(tokenWith({ roles: ["user"] }), "roles", "admin");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      reason: "claim:roles",
      description: "The access token does not grant this action",
      scopes: [],
    });
  });
});
