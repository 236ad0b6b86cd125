import { describe, expect, it } from "vitest";

import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  NoCredentialsError,
  ServerError,
  TemporarilyUnavailableError,
  toResponse,
} from "./errors";

async function parts(response: Response) {
  return {
    status: response.status,
    challenge: response.headers.get("www-authenticate"),
    cacheControl: response.headers.get("cache-control"),
    contentType: response.headers.get("content-type"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("toResponse", () => {
  it("answers an invalid token with 401 and an invalid_token challenge (our contract)", async () => {
    const response = await parts(toResponse(new InvalidTokenError("The access token expired", "expired")));
    expect(response).toEqual({
      status: 401,
      challenge: 'Bearer error="invalid_token", error_description="The access token expired"',
      cacheControl: "no-store",
      contentType: "application/json",
      body: { error: "invalid_token", error_description: "The access token expired" },
    });
  });

  it("answers a request without credentials with 401 and a bare challenge (RFC 6750 §3.1)", async () => {
    const error = new NoCredentialsError("An access token is required", "missing");
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(await parts(toResponse(error))).toEqual({
      status: 401,
      challenge: "Bearer",
      cacheControl: "no-store",
      contentType: "application/json",
      body: { error: "invalid_token", error_description: "An access token is required" },
    });
    const metadata = 'resource_metadata="https://api.example/.well-known/oauth-protected-resource"';
    const options = { realm: "api", resourceMetadata: "https://api.example/.well-known/oauth-protected-resource" };
    expect(toResponse(error, options).headers.get("www-authenticate")).toBe(`Bearer realm="api", ${metadata}`);
    expect(
      toResponse(error, { ...options, schemes: ["Bearer", "DPoP"], dpopAlgs: ["ES256"] }).headers.get(
        "www-authenticate",
      ),
    ).toBe(`Bearer realm="api", ${metadata}, DPoP realm="api", algs="ES256", ${metadata}`);
    expect(toResponse(error, { schemes: ["DPoP"], dpopAlgs: ["ES256"] }).headers.get("www-authenticate")).toBe(
      'DPoP algs="ES256"',
    );
  });

  it("answers a malformed request with 400 invalid_request", async () => {
    const response = await parts(toResponse(new InvalidRequestError("The Authorization header is malformed", "x")));
    expect(response.status).toBe(400);
    expect(response.challenge).toBe(
      'Bearer error="invalid_request", error_description="The Authorization header is malformed"',
    );
    expect(response.body).toEqual({
      error: "invalid_request",
      error_description: "The Authorization header is malformed",
    });
  });

  it("answers insufficient_scope with 403, adding scope only when scopes are known", async () => {
    const scoped = await parts(toResponse(new InsufficientScopeError("Needs more", "scope", ["read:a", "write:a"])));
    expect(scoped.status).toBe(403);
    expect(scoped.challenge).toBe(
      'Bearer error="insufficient_scope", error_description="Needs more", scope="read:a write:a"',
    );
    const byRole = await parts(toResponse(new InsufficientScopeError("Needs more", "claim:roles")));
    expect(byRole.challenge).toBe('Bearer error="insufficient_scope", error_description="Needs more"');
  });

  it("adds the realm when given, after the error", async () => {
    const response = toResponse(new InvalidTokenError("Nope", "x"), { realm: "claimtrip-api" });
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="Nope", realm="claimtrip-api"',
    );
  });

  it("cannot be broken out of its quoted strings", async () => {
    const error = new InvalidTokenError('bad" , error="forged\\', "x");
    const challenge = toResponse(error, { realm: 'r"\u00e9' }).headers.get("www-authenticate");
    expect(challenge).toBe('Bearer error="invalid_token", error_description="bad , error=forged", realm="r"');
  });

  it("answers 503 with Retry-After and no challenge when the issuer is unreachable", async () => {
    const response = toResponse(new TemporarilyUnavailableError("Keys unavailable", "keys", { retryAfter: 5 }));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(await response.json()).toEqual({ error: "temporarily_unavailable", error_description: "Keys unavailable" });
  });

  it("turns anything unexpected into a bare 500 with no message or stack", async () => {
    const secret = "eyJhbGciOiJSUzI1NiJ9.secret-looking.token";
    for (const thrown of [new Error(`boom ${secret}`), new TypeError(secret), secret, { stack: secret }, undefined]) {
      const response = toResponse(thrown);
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(JSON.parse(text)).toEqual({
        error: "server_error",
        error_description: "The server could not process the request",
      });
      expect(text).not.toContain("secret");
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
    expect(toResponse(new ServerError()).status).toBe(500);
  });
});
