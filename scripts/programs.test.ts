import { describe, expect, it } from "vitest";
import { listenPort, planRun, usesLocalIdp } from "./programs.ts";

describe("planRun", () => {
  it("starts the local IdP and the app on a fresh clone", () => {
    const plan = planRun({});
    expect(plan.programs).toEqual(["idp", "app"]);
    expect(plan.notice).toMatch(
      /^Starting the local IdP \(http:\/\/localhost:4000\) and the app \(http:\/\/localhost:3000\)/,
    );
  });

  it.each([
    ["Auth0", "https://tenant.us.auth0.com/"],
    ["Keycloak", "https://keycloak.example/realms/demo"],
    ["another local port", "http://localhost:4001"],
  ])("starts the app alone against %s, and says so", (_name, issuer) => {
    const plan = planRun({ AUTH_ISSUER: issuer, APP_URL: "https://app.example" });
    expect(plan.programs).toEqual(["app"]);
    expect(plan.notice).toContain(
      `Starting the app alone (https://app.example): AUTH_ISSUER is ${issuer}, not the local IdP`,
    );
    expect(plan.notice).toContain("npm run doctor");
  });

  it("follows IDP_ISSUER when the local IdP moves", () => {
    expect(planRun({ AUTH_ISSUER: "http://localhost:4100", IDP_ISSUER: "http://localhost:4100" }).programs).toEqual([
      "idp",
      "app",
    ]);
    expect(planRun({ IDP_ISSUER: "http://localhost:4100" }).programs).toEqual(["app"]);
  });
});

describe("one role per host (npm run start:app, npm run start:idp)", () => {
  const shared = {
    APP_URL: "https://claimtrip.example",
    AUTH_ISSUER: "https://id.example",
    IDP_ISSUER: "https://id.example",
  };

  it("starts the app alone on its own port behind the public URL, and says so first", () => {
    const plan = planRun({ ...shared, PORT: "3001" }, "app");
    expect(plan.programs).toEqual(["app"]);
    expect(plan.notice).toBe(
      "Starting the app alone on port 3001 (public URL https://claimtrip.example), signing in with https://id.example; the IdP runs elsewhere (npm run start:idp).",
    );
  });

  it("starts the local IdP alone", () => {
    const plan = planRun(shared, "idp");
    expect(plan.programs).toEqual(["idp"]);
    expect(plan.notice).toMatch(/^Starting the local IdP alone \(https:\/\/id\.example\)/);
  });
});

describe("listenPort", () => {
  it("takes --port, else PORT, else APP_URL's port", () => {
    expect(listenPort({ APP_URL: "http://localhost:8080", PORT: "3001" }, "3002")).toBe("3002");
    expect(listenPort({ APP_URL: "http://localhost:8080", PORT: "3001" })).toBe("3001");
    expect(listenPort({ APP_URL: "http://localhost:8080" })).toBe("8080");
    expect(listenPort({ APP_URL: "https://claimtrip.example" })).toBe("443");
    expect(listenPort({})).toBe("3000");
  });

  it("refuses what is not a port, naming where it came from", () => {
    expect(() => listenPort({ PORT: "http://x" })).toThrow(
      'Invalid setting PORT: expected a TCP port (1-65535), got "http://x"',
    );
    expect(() => listenPort({}, "70000")).toThrow(/^Invalid setting --port: /);
    for (const appUrl of ["notaurl", "ftp://example.com", "localhost:3000"])
      expect(() => listenPort({ APP_URL: appUrl })).toThrow(
        `Invalid setting APP_URL: expected the app's http(s) URL, such as http://localhost:3000, got "${appUrl}"`,
      );
  });
});

describe("usesLocalIdp", () => {
  it("ignores URL spelling and a trailing slash, but not the host or port", () => {
    expect(usesLocalIdp({ AUTH_ISSUER: "http://LOCALHOST:4000/" })).toBe(true);
    expect(usesLocalIdp({ AUTH_ISSUER: "http://127.0.0.1:4000" })).toBe(false);
    expect(usesLocalIdp({ AUTH_ISSUER: "not a url" })).toBe(false);
  });
});
