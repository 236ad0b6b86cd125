/**
 * The Auth.js configuration as Auth.js itself applies it: the Set-Cookie header it really sends
 * for the session, and where it really sends a hostile callbackUrl. No IdP or database: the
 * session lookup is a stub adapter.
 */
import { Auth } from "@auth/core";
import type { Adapter } from "@auth/core/adapters";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../db", () => ({ db: {} }));

async function configFor(appUrl: string) {
  vi.resetModules();
  vi.doMock("../env", () => ({
    env: {
      APP_URL: appUrl,
      AUTH_SECRET: "test-secret-test-secret-test-secret",
      AUTH_ISSUER: "https://idp.example",
      AUTH_CLIENT_ID: "claimtrip-web",
      AUTH_CLIENT_SECRET: "client-secret",
      AUTH_SCOPE: "openid",
      AUTH_AUDIENCE_PARAM: "none",
      API_AUDIENCE: `${appUrl}/api`,
      AUTH_REFRESH_SKEW: 30,
      LOG_LEVEL: "silent",
    },
  }));
  const { authConfig } = await import("./config");
  return { ...authConfig, basePath: "/api/auth", adapter: stubAdapter };
}

const unused = async () => {
  throw new Error("not used by these tests");
};

const stubAdapter = {
  createUser: unused,
  getUser: unused,
  getUserByEmail: unused,
  getUserByAccount: unused,
  updateUser: unused,
  linkAccount: unused,
  createSession: unused,
  createVerificationToken: unused,
  useVerificationToken: unused,
  async getSessionAndUser(sessionToken: string) {
    if (sessionToken !== "valid-session") return null;
    return {
      session: { sessionToken, userId: "u1", expires: new Date(Date.now() + 3_600_000) },
      user: { id: "u1", name: "Alice", email: "alice@example.com", emailVerified: null },
    };
  },
  async updateSession() {
    return null;
  },
  async deleteSession() {},
} as unknown as Adapter;

afterEach(() => vi.doUnmock("../env"));

describe("the session cookie Auth.js sends", () => {
  it("over https: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", async () => {
    const config = await configFor("https://app.example");
    const response = await Auth(
      new Request("https://app.example/api/auth/session", {
        headers: { cookie: "__Host-authjs.session-token=valid-session" },
      }),
      config,
    );
    const cookie = response.headers.getSetCookie().find((line) => line.includes("session-token="));
    expect(cookie).toMatch(/^__Host-authjs\.session-token=valid-session;/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(await response.json()).toEqual({
      expires: expect.any(String),
      user: { id: "u1", name: "Alice", email: "alice@example.com" },
    });
  });

  it("over http (local): HttpOnly, SameSite=Lax, no prefix, not Secure", async () => {
    const config = await configFor("http://localhost:3000");
    const response = await Auth(
      new Request("http://localhost:3000/api/auth/session", {
        headers: { cookie: "authjs.session-token=valid-session" },
      }),
      config,
    );
    const cookie = response.headers.getSetCookie().find((line) => line.includes("session-token="));
    expect(cookie).toMatch(/^authjs\.session-token=valid-session;.*HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).not.toMatch(/; Secure/i);
  });

  it("keeps the secure cookies even when TLS ends at a proxy and the app sees http", async () => {
    const config = await configFor("https://app.example");
    const response = await Auth(
      new Request("http://app.example/api/auth/session", {
        headers: { cookie: "__Host-authjs.session-token=valid-session" },
      }),
      config,
    );
    expect(response.headers.getSetCookie().find((line) => line.includes("session-token="))).toMatch(
      /^__Host-.*; Secure/i,
    );
  });
});

describe("a hostile callbackUrl", () => {
  it.each(["https://evil.example/steal", "//evil.example/steal", "https://app.example.evil.example/"])(
    "%s is remembered as the app's own start page",
    async (callbackUrl) => {
      const config = await configFor("https://app.example");
      const url = `https://app.example/api/auth/signin?${new URLSearchParams({ callbackUrl })}`;
      const response = await Auth(new Request(url), config);
      const remembered = response.headers
        .getSetCookie()
        .find((line) => line.startsWith("__Secure-authjs.callback-url="));
      expect(decodeURIComponent(remembered?.split(";")[0]?.split("=")[1] ?? "")).toBe("https://app.example/");
      expect(response.headers.get("location") ?? "").not.toContain("evil.example");
    },
  );
});
