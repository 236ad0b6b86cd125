import { describe, expect, it } from "vitest";
import { cookieSettings, sessionCookieName } from "./cookies";

describe("cookieSettings", () => {
  it("over https: Secure, HttpOnly, SameSite=Lax, with the __Host- prefix", () => {
    const settings = cookieSettings("https://app.example");
    expect(settings.useSecureCookies).toBe(true);
    expect(settings.cookies.sessionToken).toEqual({
      name: "__Host-authjs.session-token",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: true },
    });
  });

  it("over http (localhost): HttpOnly and SameSite=Lax, not Secure (the browser would drop it)", () => {
    const settings = cookieSettings("http://localhost:3000");
    expect(settings.useSecureCookies).toBe(false);
    expect(settings.cookies.sessionToken).toEqual({
      name: "authjs.session-token",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: false },
    });
  });

  it("names the cookie after APP_URL, never after the request", () => {
    expect(sessionCookieName("https://app.example/")).toBe("__Host-authjs.session-token");
    expect(sessionCookieName("http://app.example")).toBe("authjs.session-token");
  });
});
