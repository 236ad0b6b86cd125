/**
 * The contrast asks only an IdP that advertises it, reads each token against the rules of the
 * post-login action, and never throws: against the Auth0-shaped fake OP, which offers no token
 * exchange, it sends no request and says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeOp, type FakeOp } from "@/test/fake-op";
import { AUDIENCE, CLIENT_ID, createTestKey, mintAccessToken, OTHER_AUDIENCE, type TestKey } from "@/test/tokens";
import { ROLES_CLAIM } from "./shared/claims";
import { CONTRAST_TARGETS_FIELD, TOKEN_EXCHANGE_GRANT } from "./shared/contrast";

const SECRET = "token-contrast-test-client-secret";
const getAccessToken = vi.fn<(sessionId: string) => Promise<string>>();
vi.mock("./auth/tokens", () => ({ getAccessToken }));

type Module = typeof import("./token-contrast");
let op: FakeOp;
let key: TestKey;
let contrast: Module;

beforeAll(async () => {
  key = await createTestKey();
  op = await startFakeOp({ keys: [key], client: { secret: SECRET }, trailingSlash: true });
  vi.stubEnv("AUTH_SECRET", "token-contrast-test-secret-0123456789ab");
  vi.stubEnv("AUTH_CLIENT_SECRET", SECRET);
  vi.stubEnv("AUTH_ISSUER", op.issuer);
  vi.resetModules();
  contrast = await import("./token-contrast");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await op.close();
});
afterEach(() => {
  op.reset();
  getAccessToken.mockReset();
});

const app = { clientId: CLIENT_ID, audience: AUDIENCE, rolesClaim: ROLES_CLAIM };

describe("ruleVerdict", () => {
  it("names the rule of add-roles that decided each token", () => {
    expect(contrast.ruleVerdict({ client_id: "claimtrip-cli", aud: AUDIENCE }, app)).toMatchObject({
      rule: 1,
      expectsRoles: false,
    });
    expect(contrast.ruleVerdict({ client_id: CLIENT_ID, aud: OTHER_AUDIENCE }, app)).toMatchObject({
      rule: 2,
      expectsRoles: false,
    });
    expect(contrast.ruleVerdict({ client_id: CLIENT_ID, aud: [AUDIENCE] }, app)).toMatchObject({
      rule: 3,
      expectsRoles: true,
    });
    expect(contrast.ruleVerdict({ client_id: "claimtrip-cli", aud: AUDIENCE }, app).text).toMatch(
      /the client check: this token is for claimtrip-cli, not claimtrip-web/,
    );
  });
});

describe("advertisedTargets", () => {
  const targets = [{ client_id: "claimtrip-cli", resource: AUDIENCE }];
  it("needs both the grant and the targets, and keeps only well-formed targets", () => {
    expect(contrast.advertisedTargets({ grant_types_supported: [TOKEN_EXCHANGE_GRANT] })).toEqual([]);
    expect(contrast.advertisedTargets({ [CONTRAST_TARGETS_FIELD]: targets })).toEqual([]);
    expect(
      contrast.advertisedTargets({
        grant_types_supported: [TOKEN_EXCHANGE_GRANT],
        [CONTRAST_TARGETS_FIELD]: [...targets, { client_id: 1 }, null, "x"],
      }),
    ).toEqual(targets);
  });
});

describe("loadContrast", () => {
  it("against an IdP that offers no exchange (Auth0-shaped): unavailable, without asking it for a token", async () => {
    getAccessToken.mockResolvedValue(await mintAccessToken(key, { issuer: op.issuer }));
    await expect(contrast.loadContrast("user-1")).resolves.toEqual({ available: false, reason: "not_offered" });
    expect(op.tokenRequests).toHaveLength(0);
    expect(getAccessToken).not.toHaveBeenCalled();
  });

  it("against an IdP that does not answer: unavailable, no error", async () => {
    op.fail("discovery", 503);
    vi.resetModules();
    const fresh = await import("./token-contrast");
    await expect(fresh.loadContrast("user-1")).resolves.toEqual({ available: false, reason: "idp_unavailable" });
  });

  describe("against an IdP that advertises it", () => {
    const advertise = () => {
      op.discovery = {
        grant_types_supported: ["authorization_code", TOKEN_EXCHANGE_GRANT],
        [CONTRAST_TARGETS_FIELD]: [{ client_id: "claimtrip-cli", resource: AUDIENCE }],
      };
    };

    it("puts the IdP's token beside the app's, each read against the rules", async () => {
      getAccessToken.mockResolvedValue(
        await mintAccessToken(key, { issuer: op.issuer, claims: { [ROLES_CLAIM]: ["admin"] } }),
      );
      advertise();
      op.tokenAnswer = {
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({
          access_token: await mintAccessToken(key, { issuer: op.issuer, claims: { client_id: "claimtrip-cli" } }),
          issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
          token_type: "Bearer",
        }),
      };
      vi.resetModules();
      const fresh = await import("./token-contrast");
      const result = await fresh.loadContrast("user-1");
      expect(result.available).toBe(true);
      if (!result.available) return;
      expect(result.columns.map((c) => [c.kind, c.verdict?.rule, c.agrees])).toEqual([
        ["this-app", 3, true],
        ["other-client", 1, true],
      ]);
      expect(result.columns[1]?.claims).not.toHaveProperty(ROLES_CLAIM);
      expect(op.tokenRequests).toEqual([expect.objectContaining({ grantType: TOKEN_EXCHANGE_GRANT })]);
    });

    it("shows the IdP's refusal as its error code, never throwing and never echoing a description", async () => {
      getAccessToken.mockResolvedValue(await mintAccessToken(key, { issuer: op.issuer }));
      advertise();
      op.tokenAnswer = {
        status: 400,
        contentType: "application/json",
        body: JSON.stringify({ error: "invalid_target", error_description: "<script>" }),
      };
      vi.resetModules();
      const fresh = await import("./token-contrast");
      const result = await fresh.loadContrast("user-1");
      expect(result.available && result.columns[1]).toMatchObject({ claims: null, error: "invalid_target" });
      expect(JSON.stringify(result)).not.toContain("<script>");
    });
  });
});
