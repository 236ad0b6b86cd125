import { describe, expect, it } from "vitest";
import { checkDpop } from "./dpop.ts";

const KEY = '{"kty":"EC"}';
const withDpop = { dpop_signing_alg_values_supported: ["ES256", "EdDSA"] };

describe("the doctor's DPoP check", () => {
  it("is ok when the IdP advertises ES256 and the app has its key", () => {
    expect(checkDpop({ env: { AUTH_DPOP_PRIVATE_KEY: KEY, API_DPOP: "allowed" } }, withDpop).status).toBe("ok");
  });

  it("says the app falls back to Bearer against an IdP without DPoP", () => {
    for (const metadata of [{}, { dpop_signing_alg_values_supported: ["EdDSA"] }]) {
      const found = checkDpop({ env: { AUTH_DPOP_PRIVATE_KEY: KEY, API_DPOP: "allowed" } }, metadata);
      expect(found).toMatchObject({ status: "warn", found: expect.stringContaining("falls back to Bearer") });
    }
  });

  it("fails when API_DPOP=required would refuse every token the app can get", () => {
    expect(checkDpop({ env: { AUTH_DPOP_PRIVATE_KEY: KEY, API_DPOP: "required" } }, {}).status).toBe("fail");
  });

  it("skips without a discovery document", () => {
    expect(checkDpop({ env: {} }, undefined).status).toBe("skip");
  });
});
