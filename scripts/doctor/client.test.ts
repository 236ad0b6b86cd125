/**
 * How the app names the API and which `typ` the API demands, judged per kind of IdP (the live
 * probes are covered in doctor.test.ts against the local IdP).
 */
import { describe, expect, it } from "vitest";
import type { Env } from "../../lib/env";
import { checkAudience, checkTyp } from "./client.ts";
import type { DoctorContext } from "./context.ts";
import { formatReport, report, safeUrl } from "./report.ts";

const AUTH0 = "https://tenant.us.auth0.com/";
const KEYCLOAK = "https://sso.example/realms/demo";
const OTHER = "https://login.example";

function ctx(env: Partial<Env>, local = false): DoctorContext {
  return { env: { API_AUDIENCE: "https://api.example", API_TOKEN_TYP: "at+jwt", ...env }, local, timeoutMs: 1000 };
}
const audience = (issuer: string, param: Env["AUTH_AUDIENCE_PARAM"], local = false) =>
  checkAudience(ctx({ AUTH_ISSUER: issuer, AUTH_AUDIENCE_PARAM: param }, local), {
    redirect: { name: "redirect", status: "ok", found: "" },
  }).status;

describe("checkAudience", () => {
  it.each([
    [AUTH0, "audience", "ok"],
    [AUTH0, "resource", "warn"],
    [AUTH0, "none", "fail"],
    [KEYCLOAK, "none", "ok"],
    [KEYCLOAK, "audience", "warn"],
    [OTHER, "resource", "ok"],
    [OTHER, "audience", "warn"],
    [OTHER, "none", "warn"],
  ] as const)("%s with %s: %s", (issuer, param, status) => {
    expect(audience(issuer, param)).toBe(status);
  });

  it("knows what the local IdP accepts", () => {
    expect(audience("http://localhost:4000", "audience", true)).toBe("ok");
    expect(audience("http://localhost:4000", "resource", true)).toBe("ok");
    expect(audience("http://localhost:4000", "none", true)).toBe("fail");
  });
});

describe("checkTyp", () => {
  it("expects at+jwt from the local IdP, warns for Auth0, fails for Keycloak", () => {
    expect(checkTyp(ctx({ AUTH_ISSUER: "http://localhost:4000" }, true)).status).toBe("ok");
    expect(checkTyp(ctx({ AUTH_ISSUER: AUTH0 })).fix).toMatch(/RFC 9068|API_TOKEN_TYP=/);
    expect(checkTyp(ctx({ AUTH_ISSUER: KEYCLOAK })).status).toBe("fail");
    expect(checkTyp(ctx({ AUTH_ISSUER: KEYCLOAK, API_TOKEN_TYP: "" })).status).toBe("warn");
  });
});

describe("report", () => {
  it("prints one line per check and a summary, and fails on any fail", () => {
    const result = report([
      { name: "issuer", status: "fail", found: "found\nthis", fix: "change that" },
      { name: "clock", status: "ok", found: "fine" },
    ]);
    expect(result.ok).toBe(false);
    expect(formatReport(result).split("\n")).toEqual([
      "fail issuer         found this → change that",
      "ok   clock          fine",
      "",
      "doctor: 1 ok, 0 warn, 1 fail, 0 skipped: fix the failed checks above.",
    ]);
  });

  it("drops credentials from URLs it prints", () => {
    expect(safeUrl("postgresql://app:s3cret@db.example:5432/claimtrip")).toBe("postgresql://db.example:5432/claimtrip");
    expect(safeUrl("file:/tmp/dev.db")).toBe("file:/tmp/dev.db");
  });
});
