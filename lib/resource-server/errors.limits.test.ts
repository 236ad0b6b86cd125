/**
 * What each error carries beyond its response: the Retry-After rounding, the class name and
 * cause, and the characters a challenge keeps (the edges of RFC 6750's ranges). errors.test.ts
 * covers the responses; `npm run test:mutation` found what it left open.
 */
import { describe, expect, it } from "vitest";

import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  ServerError,
  TemporarilyUnavailableError,
  toResponse,
} from "./errors";

describe("TemporarilyUnavailableError", () => {
  it("rounds Retry-After up to whole seconds, at least 1, 5 by default", () => {
    for (const [retryAfter, expected] of [
      [undefined, 5],
      [0, 1],
      [-3, 1],
      [0.2, 1],
      [1, 1],
      [2.1, 3],
      [30, 30],
    ] as const) {
      const error = new TemporarilyUnavailableError("down", "keys", retryAfter === undefined ? {} : { retryAfter });
      expect(error.retryAfter, String(retryAfter)).toBe(expected);
      expect(toResponse(error).headers.get("retry-after")).toBe(String(expected));
    }
    expect(new TemporarilyUnavailableError("down", "keys").retryAfter).toBe(5);
  });

  it("keeps its cause for the server's log", () => {
    const cause = new Error("jwks answered 500");
    expect(new TemporarilyUnavailableError("down", "keys", { cause }).cause).toBe(cause);
    expect(new ServerError({ cause }).cause).toBe(cause);
  });
});

describe("every error", () => {
  it("is named after its class and carries its description, reason, code and status", () => {
    const cases = [
      [new InvalidRequestError("d", "r"), "InvalidRequestError", "invalid_request", 400],
      [new InvalidTokenError("d", "r"), "InvalidTokenError", "invalid_token", 401],
      [new InsufficientScopeError("d", "r"), "InsufficientScopeError", "insufficient_scope", 403],
      [new TemporarilyUnavailableError("d", "r"), "TemporarilyUnavailableError", "temporarily_unavailable", 503],
    ] as const;
    for (const [error, name, code, status] of cases) {
      expect(error).toMatchObject({ name, code, status, description: "d", reason: "r", message: "d" });
    }
    expect(new ServerError()).toMatchObject({
      name: "ServerError",
      code: "server_error",
      status: 500,
      reason: "unexpected",
      description: "The server could not process the request",
    });
    expect(new InsufficientScopeError("d", "r").scopes).toEqual([]);
  });

  it("sends no challenge from 500 on, and a challenge below", () => {
    expect(toResponse(new ServerError()).headers.get("www-authenticate")).toBeNull();
    expect(toResponse(new InsufficientScopeError("d", "r")).headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(toResponse(new ServerError()).headers.get("retry-after")).toBeNull();
    expect(toResponse(new InvalidTokenError("d", "r")).headers.get("retry-after")).toBeNull();
  });
});

describe("quoted challenge attributes", () => {
  it("keep every character RFC 6750 allows, up to the edges of its ranges, and drop the others", () => {
    const allowed = " !#[]~az09";
    const challenge = toResponse(new InvalidTokenError(`${allowed}"\\\u007f\u001f\n`, "x")).headers.get(
      "www-authenticate",
    );
    expect(challenge).toBe(`Bearer error="invalid_token", error_description="${allowed}"`);
  });

  it("apply to the scope list too", () => {
    const response = toResponse(new InsufficientScopeError("d", "scope", ['read"', "wr\\ite"]));
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer error="insufficient_scope", error_description="d", scope="read write"',
    );
  });
});

describe("a challenge without attributes", () => {
  it("is the bare scheme: the Bearer challenge beside a DPoP error, and a DPoP one without algs", () => {
    const error = new InvalidTokenError("Use the DPoP authentication scheme", "unsupported_scheme");
    expect(
      toResponse(error, { schemes: ["Bearer", "DPoP"], errorScheme: "DPoP" }).headers.get("www-authenticate"),
    ).toBe('DPoP error="invalid_token", error_description="Use the DPoP authentication scheme", Bearer');
    expect(toResponse(error, { schemes: ["Bearer", "DPoP"] }).headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="Use the DPoP authentication scheme", DPoP',
    );
  });
});
