/**
 * GET /api/me as Next.js runs it: the route module imported with the app's real settings,
 * verifying tokens from a local issuer through lib/api/guard.ts. Honest tokens get what the API
 * read from them; every attack gets an RFC 6750 answer; fuzzed headers never get a 500 or a 200.
 */
import { exportSPKI } from "jose";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ADMIN_ROLE, ROLES_CLAIM } from "@/lib/shared/claims";
import { DISCOVERY_PATH, JWKS_PATH } from "@/test/fake-op";
import { CLIENT_ID, OTHER_AUDIENCE, createTestKey, encodeSegment, mintAccessToken } from "@/test/tokens";
import { acceptedCredential, authorizationHeaders, headersFrom } from "@/test/fuzz";
import { apiRequest, expectBearerRefusal, startRouteHarness, type RouteHarness } from "@/test/api-route";

let harness: RouteHarness;
let GET: (request: Request) => Promise<Response>;

beforeAll(async () => {
  harness = await startRouteHarness();
  ({ GET } = await import("./route"));
});
afterAll(() => harness?.close());

const now = () => Math.floor(Date.now() / 1000);
const me = (authorization?: string | string[], path = "/api/me") => GET(apiRequest(path, authorization));

describe("GET /api/me with an honest token", () => {
  it("answers 200 with what the API read from the verified token", async () => {
    const token = await harness.mint({ claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } });
    const response = await me(`Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      sub: "user-alice",
      client_id: CLIENT_ID,
      scope: "openid profile email",
      roles: [ADMIN_ROLE],
    });
    expect(body.claims).toMatchObject({ iss: harness.idp.issuer, [ROLES_CLAIM]: [ADMIN_ROLE] });
  });

  it("accepts the scheme in lower case", async () => {
    expect((await me(`bearer ${await harness.mint()}`)).status).toBe(200);
  });

  it("shows no roles for a token without them", async () => {
    const response = await me(`Bearer ${await harness.mint({ claims: { sub: "user-bob", [ROLES_CLAIM]: [] } })}`);
    expect(await response.json()).toMatchObject({ sub: "user-bob", roles: [] });
  });
});

describe("GET /api/me refuses attacks with RFC 6750 errors", () => {
  const invalid = { status: 401, error: "invalid_token" };
  // No credentials this API takes: 401 with a bare challenge (RFC 6750 §3.1).
  const noCredentials = { ...invalid, bare: true };
  const badRequest = { status: 400, error: "invalid_request" };

  const cases: [string, () => Promise<string | string[] | undefined>, Parameters<typeof expectBearerRefusal>[1]][] = [
    ["no token", async () => undefined, noCredentials],
    [
      "a forged signature (roles added to a real token)",
      async () => {
        const [header, payload, signature] = (await harness.mint()).split(".");
        const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
        return `Bearer ${header}.${encodeSegment({ ...claims, [ROLES_CLAIM]: [ADMIN_ROLE] })}.${signature}`;
      },
      invalid,
    ],
    [
      "alg none",
      async () => {
        const payload = (await harness.mint({ claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } })).split(".")[1];
        return `Bearer ${encodeSegment({ alg: "none", typ: "at+jwt" })}.${payload}.`;
      },
      invalid,
    ],
    [
      "HS256 signed with the IdP's public key",
      async () => {
        const secret = new TextEncoder().encode(await exportSPKI(harness.key.publicKey));
        return `Bearer ${await mintAccessToken({ kid: harness.key.kid, alg: "HS256", privateKey: secret }, { issuer: harness.idp.issuer })}`;
      },
      invalid,
    ],
    [
      "the attacker's own key under the IdP's kid",
      async () => {
        const attacker = await createTestKey("RS256");
        return `Bearer ${await mintAccessToken({ ...attacker, kid: harness.key.kid }, { issuer: harness.idp.issuer })}`;
      },
      invalid,
    ],
    [
      "a token for the other API",
      async () => `Bearer ${await harness.mint({ claims: { aud: OTHER_AUDIENCE } })}`,
      invalid,
    ],
    [
      "another issuer",
      async () => `Bearer ${await harness.mint({ claims: { iss: "https://evil.example" } })}`,
      invalid,
    ],
    [
      "an ID token",
      async () => `Bearer ${await harness.mint({ header: { typ: "JWT" }, claims: { aud: CLIENT_ID, nonce: "n" } })}`,
      invalid,
    ],
    [
      "an expired token",
      async () => `Bearer ${await harness.mint({ claims: { iat: now() - 600, exp: now() - 300 } })}`,
      invalid,
    ],
    ["a token not valid yet", async () => `Bearer ${await harness.mint({ claims: { nbf: now() + 300 } })}`, invalid],
    ["the Basic scheme", async () => "Basic YWxpY2VAZXhhbXBsZS5jb206YWxpY2UtcGFzc3dvcmQ=", noCredentials],
    ["the Token scheme", async () => `Token ${await harness.mint()}`, noCredentials],
    [
      "duplicate Authorization headers",
      async () => [`Bearer ${await harness.mint()}`, `Bearer ${await harness.mint()}`],
      badRequest,
    ],
    ["two spaces after Bearer", async () => `Bearer  ${await harness.mint()}`, badRequest],
    ["characters outside token68", async () => `Bearer ${await harness.mint()};x`, badRequest],
    ["an oversized header", async () => `Bearer ${"a".repeat(10_000)}`, badRequest],
  ];

  it.each(cases)("%s", async (_name, authorization, expected) => {
    const sent = await authorization();
    await expectBearerRefusal(await me(sent), expected, [sent ?? []].flat());
  });

  it("a token in the query string, alone or beside the header", async () => {
    const token = await harness.mint();
    await expectBearerRefusal(await me(undefined, `/api/me?access_token=${token}`), badRequest, [token]);
    await expectBearerRefusal(await me(`Bearer ${token}`, `/api/me?access_token=${token}`), badRequest, [token]);
  });

  it("a token in a form body beside the header", async () => {
    const token = await harness.mint();
    const request = apiRequest("/api/me", `Bearer ${token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `access_token=${token}`,
    });
    await expectBearerRefusal(await GET(request), badRequest, [token]);
  });

  it("an unknown-kid flood costs no extra JWKS fetch, and honest tokens keep passing", async () => {
    expect((await me(`Bearer ${await harness.mint()}`)).status).toBe(200);
    const fetched = { discovery: harness.idp.count(DISCOVERY_PATH), jwks: harness.idp.count(JWKS_PATH) };
    const attacker = await createTestKey("RS256");
    const tokens = await Promise.all(
      Array.from({ length: 200 }, () =>
        mintAccessToken({ ...attacker, kid: crypto.randomUUID() }, { issuer: harness.idp.issuer }),
      ),
    );
    const answers = await Promise.all(tokens.map((token) => me(`Bearer ${token}`)));
    expect(answers.map((response) => response.status)).toEqual(tokens.map(() => 401));
    expect(harness.idp.count(DISCOVERY_PATH)).toBe(fetched.discovery);
    expect(harness.idp.count(JWKS_PATH)).toBe(fetched.jwks);
    expect((await me(`Bearer ${await harness.mint()}`)).status).toBe(200);
  });
});

describe("GET /api/me under fuzzing", () => {
  it("answers random and mutated Authorization headers with 400 or 401, never 500, never 200 for a changed token", async () => {
    const exp = now() + 3600;
    const valid = [await harness.mint({ claims: { exp, [ROLES_CLAIM]: [ADMIN_ROLE] } })];
    let honest = 0;
    await fc.assert(
      fc.asyncProperty(authorizationHeaders(valid), async (values) => {
        const request = new Request("http://localhost:3000/api/me", { headers: headersFrom(values) });
        const response = await GET(request);
        if (acceptedCredential(request.headers.get("authorization"), valid)) {
          honest++;
          expect(response.status).toBe(200);
          return;
        }
        await expectBearerRefusal(
          response,
          response.status === 400
            ? { status: 400, error: "invalid_request" }
            : { status: 401, error: "invalid_token", bare: "either" },
          values,
        );
      }),
      { numRuns: 1500 },
    );
    expect(honest).toBeGreaterThan(0);
    expect((await me(`Bearer ${valid[0]}`)).status).toBe(200);
  });
});
