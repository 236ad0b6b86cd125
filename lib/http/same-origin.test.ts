import { describe, expect, it } from "vitest";
import { crossSiteRefusal, type RequestFacts } from "./same-origin";

const APP = "http://localhost:3000";
const post = (facts: Partial<RequestFacts>): RequestFacts => ({
  method: "POST",
  pathname: "/",
  origin: null,
  secFetchSite: null,
  ...facts,
});

describe("crossSiteRefusal", () => {
  it("lets the app's own posts through (server actions, Auth.js forms)", () => {
    expect(crossSiteRefusal(post({ origin: APP, secFetchSite: "same-origin" }), APP)).toBeNull();
    expect(crossSiteRefusal(post({ origin: APP, pathname: "/api/auth/signout" }), `${APP}/`)).toBeNull();
  });

  it("refuses a post from another origin, or from an opaque one", () => {
    expect(crossSiteRefusal(post({ origin: "https://evil.example", secFetchSite: "cross-site" }), APP)).toBe(
      "origin_mismatch",
    );
    expect(crossSiteRefusal(post({ origin: "http://localhost:3001" }), APP)).toBe("origin_mismatch");
    expect(crossSiteRefusal(post({ origin: "null" }), APP)).toBe("origin_mismatch");
    expect(crossSiteRefusal({ ...post({ origin: "https://evil.example" }), method: "delete" }, APP)).toBe(
      "origin_mismatch",
    );
  });

  it("refuses a cross-site or same-site fetch even without an Origin header", () => {
    expect(crossSiteRefusal(post({ secFetchSite: "cross-site" }), APP)).toBe("cross_site_fetch");
    expect(crossSiteRefusal(post({ secFetchSite: "same-site" }), APP)).toBe("cross_site_fetch");
  });

  it("leaves safe methods alone", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      expect(
        crossSiteRefusal({ method, pathname: "/", origin: "https://evil.example", secFetchSite: "cross-site" }, APP),
      ).toBeNull();
    }
  });

  it("lets the IdP post the sign-in callback (form_post): state and PKCE guard it", () => {
    const callback = post({
      pathname: "/api/auth/callback/claimtrip",
      origin: "http://localhost:4000",
      secFetchSite: "same-site",
    });
    expect(crossSiteRefusal(callback, APP)).toBeNull();
  });

  it("lets the IdP post a back-channel logout token from anywhere: the signed token guards it", () => {
    const logout = post({
      pathname: "/api/auth/backchannel-logout",
      origin: "https://tenant.auth0.example",
      secFetchSite: "cross-site",
    });
    expect(crossSiteRefusal(logout, APP)).toBeNull();
  });

  it("relaxes nothing else under /api/auth: look-alike paths and the rest of Auth.js stay checked", () => {
    const from = { origin: "https://evil.example", secFetchSite: "cross-site" };
    for (const pathname of [
      "/api/auth/backchannel-logout/",
      "/api/auth/backchannel-logout/x",
      "/api/auth/backchannel-logoutx",
      "/api/auth/signout",
      "/api/auth/signin/claimtrip",
      "/x/api/auth/backchannel-logout",
    ]) {
      expect(crossSiteRefusal(post({ pathname, ...from }), APP), pathname).toBe("origin_mismatch");
    }
  });

  it("lets non-browser clients through: they hold no victim's cookies", () => {
    expect(crossSiteRefusal(post({}), APP)).toBeNull();
  });
});

describe("crossSiteRefusal: the exempt paths are anchored", () => {
  it("exempts the callback and back-channel paths only as whole prefixes or paths, not inside another path", () => {
    const evil = { origin: "https://evil.example", secFetchSite: "cross-site" };
    for (const pathname of [
      "/evil/api/auth/callback/claimtrip",
      "/x/api/auth/backchannel-logout",
      "/api/auth/backchannel-logout/x",
      "/api/auth/callback",
    ]) {
      expect(crossSiteRefusal(post({ ...evil, pathname }), APP), pathname).toBe("origin_mismatch");
    }
    for (const pathname of ["/api/auth/callback/claimtrip", "/api/auth/backchannel-logout"]) {
      expect(crossSiteRefusal(post({ ...evil, pathname }), APP), pathname).toBeNull();
    }
  });
});
