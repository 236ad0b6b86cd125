import { describe, expect, it } from "vitest";
import { planRun, usesLocalIdp } from "./programs.ts";

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

describe("usesLocalIdp", () => {
  it("ignores URL spelling and a trailing slash, but not the host or port", () => {
    expect(usesLocalIdp({ AUTH_ISSUER: "http://LOCALHOST:4000/" })).toBe(true);
    expect(usesLocalIdp({ AUTH_ISSUER: "http://127.0.0.1:4000" })).toBe(false);
    expect(usesLocalIdp({ AUTH_ISSUER: "not a url" })).toBe(false);
  });
});
