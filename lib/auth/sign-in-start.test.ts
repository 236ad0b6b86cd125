import { describe, expect, it, vi } from "vitest";
import { signInResponse } from "./sign-in-start";

const APP = "http://localhost:3000";
const IDP_URL = "http://localhost:4000/auth?client_id=claimtrip-web&code_challenge=x&state=y&nonce=z";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describe("the sign-in form's answer", () => {
  it("is a 303 straight to the URL Auth.js's sign-in gives, never cached", async () => {
    const response = await signInResponse(form({ returnTo: "/admin" }), APP, async () => IDP_URL, vi.fn());
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(IDP_URL);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("hands Auth.js the return path only when it stays on this app", async () => {
    const start = vi.fn(async () => IDP_URL);
    await signInResponse(form({ returnTo: "/tokens?x=1" }), APP, start, vi.fn());
    await signInResponse(form({ returnTo: "//evil.example/" }), APP, start, vi.fn());
    await signInResponse(form({}), APP, start, vi.fn());
    expect(start.mock.calls).toEqual([["/tokens?x=1"], ["/dashboard"], ["/dashboard"]]);
  });

  it("sends the user to the sign-in error page when the sign-in cannot start, and reports why", async () => {
    const failure = new Error("IdP unreachable");
    const onError = vi.fn();
    const response = await signInResponse(
      form({}),
      APP,
      async () => {
        throw failure;
      },
      onError,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${APP}/auth/error?error=Configuration`);
    expect(onError).toHaveBeenCalledWith(failure);
  });
});
