import { describe, expect, it, vi } from "vitest";

vi.mock("../env", () => ({ env: { LOG_LEVEL: "silent" } }));

const { describeAuthError, oauthErrorCode } = await import("./log-events");

describe("oauthErrorCode", () => {
  it("keeps plain codes and replaces anything else", () => {
    expect(oauthErrorCode("invalid_grant")).toBe("invalid_grant");
    expect(oauthErrorCode("CallbackRouteError")).toBe("CallbackRouteError");
    expect(oauthErrorCode("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")).toBe("other");
    expect(oauthErrorCode("bad\ninjected line")).toBe("other");
    expect(oauthErrorCode("x".repeat(65))).toBe("other");
    expect(oauthErrorCode(undefined)).toBe("other");
  });
});

describe("describeAuthError", () => {
  it("names the error and its cause, never their messages or details", () => {
    const cause = Object.assign(new Error('token endpoint said {"refresh_token":"secret-refresh-value"}'), {
      code: "OAUTH_RESPONSE_BODY_ERROR",
    });
    const error = Object.assign(new Error("Read more at https://errors.authjs.dev#callbackrouteerror"), {
      type: "CallbackRouteError",
      cause: { err: cause, provider: "claimtrip", body: { code: "the-authorization-code" } },
    });
    const described = describeAuthError(error);
    expect(described).toEqual({ code: "CallbackRouteError", cause: "Error", causeCode: "OAUTH_RESPONSE_BODY_ERROR" });
    expect(JSON.stringify(described)).not.toMatch(/secret-refresh-value|the-authorization-code/);
  });
});
