import { describe, expect, it } from "vitest";

import { ADMIN_ROLE, ROLES_CLAIM } from "../shared/claims";
import {
  claimIncludes,
  readScopes,
  readStringListClaim,
  requireClaimIncludes,
  requireScopes,
  requireAnyScopeSet,
} from "./claims";
import { InsufficientScopeError } from "./errors";
import type { VerifiedAccessToken } from "./verify";

/** Unit tests of the helpers only: in the app a VerifiedAccessToken comes from verify(). */
const tokenWith = (claims: Record<string, unknown>) =>
  ({
    payload: { iss: "http://localhost:4000", sub: "user-bob", aud: "http://localhost:3000/api", exp: 2e9, ...claims },
    protectedHeader: { alg: "RS256", typ: "at+jwt" },
  }) as unknown as VerifiedAccessToken;

function refusal(run: () => unknown): InsufficientScopeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InsufficientScopeError);
    return error as InsufficientScopeError;
  }
  return expect.unreachable("the check passed");
}

describe("requireScopes", () => {
  const token = tokenWith({ scope: "openid read:reports  write:reports" });

  it("passes when every required scope is granted", () => {
    expect(() => requireScopes(token, "read:reports")).not.toThrow();
    expect(() => requireScopes(token, "write:reports", "read:reports")).not.toThrow();
    expect(readScopes(token)).toEqual(["openid", "read:reports", "write:reports"]);
  });

  it("refuses with 403 insufficient_scope naming the scopes needed", () => {
    const error = refusal(() => requireScopes(token, "read:reports", "delete:reports"));
    expect(error).toMatchObject({ status: 403, code: "insufficient_scope" });
    expect(error.scopes).toEqual(["read:reports", "delete:reports"]);
  });

  it("matches whole scopes only, case-sensitively", () => {
    refusal(() => requireScopes(token, "read"));
    refusal(() => requireScopes(token, "READ:REPORTS"));
    refusal(() => requireScopes(tokenWith({ scope: "read:reportsX" }), "read:reports"));
  });

  it("treats a missing or non-string scope claim as no scopes", () => {
    refusal(() => requireScopes(tokenWith({}), "openid"));
    refusal(() => requireScopes(tokenWith({ scope: ["openid"] }), "openid"));
    expect(readScopes(tokenWith({ scope: 7 }))).toEqual([]);
  });

  it("refuses to check nothing or a malformed scope (a programming error)", () => {
    expect(() => requireScopes(token)).toThrow(TypeError);
    expect(() => requireScopes(token, "")).toThrow(TypeError);
    expect(() => requireScopes(token, "read reports")).toThrow(TypeError);
  });
});

describe("requireAnyScopeSet", () => {
  const token = tokenWith({ scope: "read:users create:role_members" });

  it("passes when every scope of one alternative is granted", () => {
    expect(() => requireAnyScopeSet(token, ["update:users"], ["create:role_members"])).not.toThrow();
    expect(() => requireAnyScopeSet(token, ["read:users", "create:role_members"])).not.toThrow();
    expect(() => requireAnyScopeSet(token, ["read:users", "delete:users"], ["read:users"])).not.toThrow();
  });

  it("refuses when no alternative is whole, naming the first one's scopes", () => {
    const error = refusal(() => requireAnyScopeSet(token, ["update:users"], ["delete:role_members", "read:users"]));
    expect(error).toMatchObject({ status: 403, code: "insufficient_scope", reason: "scope" });
    expect(error.scopes).toEqual(["update:users"]);
    // A part of each alternative is not enough.
    refusal(() => requireAnyScopeSet(token, ["read:users", "read:roles"], ["create:role_members", "update:users"]));
  });

  it("refuses to check nothing, an empty alternative or a malformed scope (a programming error)", () => {
    expect(() => requireAnyScopeSet(token)).toThrow(TypeError);
    expect(() => requireAnyScopeSet(token, ["read:users"], [])).toThrow(TypeError);
    expect(() => requireAnyScopeSet(token, ["read:users"], ["read users"])).toThrow(TypeError);
  });
});

describe("requireClaimIncludes and claimIncludes", () => {
  it("pass when the claim is a string array holding every value", () => {
    const admin = tokenWith({ [ROLES_CLAIM]: ["editor", ADMIN_ROLE] });
    expect(() => requireClaimIncludes(admin, ROLES_CLAIM, ADMIN_ROLE)).not.toThrow();
    expect(claimIncludes(admin, ROLES_CLAIM, ADMIN_ROLE, "editor")).toBe(true);
  });

  it("refuse with 403 when a value is missing", () => {
    const user = tokenWith({ [ROLES_CLAIM]: ["editor"] });
    expect(refusal(() => requireClaimIncludes(user, ROLES_CLAIM, ADMIN_ROLE))).toMatchObject({
      status: 403,
      code: "insufficient_scope",
      scopes: [],
    });
    expect(claimIncludes(user, ROLES_CLAIM, ADMIN_ROLE, "editor")).toBe(false);
    expect(claimIncludes(tokenWith({ [ROLES_CLAIM]: ["Admin"] }), ROLES_CLAIM, ADMIN_ROLE)).toBe(false);
  });

  it.each([
    ["absent", undefined],
    ["a string", ADMIN_ROLE],
    ["a space-separated string", `${ADMIN_ROLE} editor`],
    ["an object", { admin: true }],
    ["an array with a non-string", [ADMIN_ROLE, 1]],
    ["a nested array", [[ADMIN_ROLE]]],
    ["null", null],
  ])("fail closed when the claim is %s", (_, value) => {
    const token = tokenWith(value === undefined ? {} : { [ROLES_CLAIM]: value });
    expect(claimIncludes(token, ROLES_CLAIM, ADMIN_ROLE)).toBe(false);
    refusal(() => requireClaimIncludes(token, ROLES_CLAIM, ADMIN_ROLE));
  });

  it("read only the token's own claims, so prototype pollution elsewhere cannot grant a role", () => {
    const prototype = Object.prototype as Record<string, unknown>;
    prototype[ROLES_CLAIM] = [ADMIN_ROLE];
    try {
      const token = tokenWith({});
      expect(claimIncludes(token, ROLES_CLAIM, ADMIN_ROLE)).toBe(false);
      expect(readStringListClaim(token.payload, ROLES_CLAIM)).toEqual([]);
    } finally {
      delete prototype[ROLES_CLAIM];
    }
    expect(claimIncludes(tokenWith({}), "__proto__", "x")).toBe(false);
  });

  it("refuse to check no values (a programming error)", () => {
    expect(() => claimIncludes(tokenWith({ [ROLES_CLAIM]: [] }), ROLES_CLAIM)).toThrow(TypeError);
  });
});

describe("readStringListClaim", () => {
  it("returns the claim as a fresh string array", () => {
    const token = tokenWith({ [ROLES_CLAIM]: [ADMIN_ROLE, "editor"] });
    const roles = readStringListClaim(token.payload, ROLES_CLAIM);
    expect(roles).toEqual([ADMIN_ROLE, "editor"]);
    roles.push("mutated");
    expect(readStringListClaim(token.payload, ROLES_CLAIM)).toEqual([ADMIN_ROLE, "editor"]);
  });

  it("returns [] for anything but an array of strings", () => {
    for (const value of [undefined, "admin", 1, { 0: "admin" }, [ADMIN_ROLE, null]]) {
      expect(readStringListClaim(tokenWith({ [ROLES_CLAIM]: value }).payload, ROLES_CLAIM)).toEqual([]);
    }
  });

  it("reads the namespaced claim, not a look-alike", () => {
    expect(readStringListClaim(tokenWith({ roles: [ADMIN_ROLE] }).payload, ROLES_CLAIM)).toEqual([]);
  });
});
