/**
 * GET /api/admin as Next.js runs it: the real route module, settings and verifier, a migrated
 * temporary database. Admin means a verified access token for this API whose roles claim holds
 * "admin"; a valid token without it is 403 insufficient_scope, anything else 400/401.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ADMIN_ROLE, ROLES_CLAIM } from "@/lib/shared/claims";
import { CLIENT_ID, OTHER_AUDIENCE, encodeSegment } from "@/test/tokens";
import { createPrismaClient } from "@/prisma/client";
import { apiRequest, expectBearerRefusal, startRouteHarness, type RouteHarness } from "@/test/api-route";

let harness: RouteHarness;
let GET: (request: Request) => Promise<Response>;

beforeAll(async () => {
  harness = await startRouteHarness();
  const db = createPrismaClient(harness.databaseUrl, { logErrors: false });
  await db.user.create({
    data: {
      id: "user-alice",
      email: "alice@example.com",
      name: "Alice",
      sessions: {
        create: {
          sessionToken: "session-token-never-shown",
          expires: new Date(Date.now() + 3_600_000),
          tokens: { create: { accessToken: "access-token-never-shown" } },
        },
      },
      accounts: { create: { type: "oidc", provider: "claimtrip", providerAccountId: "alice" } },
    },
  });
  await db.$disconnect();
  ({ GET } = await import("./route"));
});
afterAll(() => harness?.close());

const admin = (authorization?: string | string[], path = "/api/admin") => GET(apiRequest(path, authorization));
const tokenWith = (
  roles: unknown,
  options: { claims?: Record<string, unknown>; header?: Record<string, unknown> } = {},
) => harness.mint({ header: options.header, claims: { [ROLES_CLAIM]: roles, ...options.claims } });

describe("GET /api/admin", () => {
  it("answers 200 with the users for an admin's token", async () => {
    const response = await admin(`Bearer ${await tokenWith([ADMIN_ROLE])}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      users: [
        {
          id: "user-alice",
          sub: "alice",
          email: "alice@example.com",
          name: "Alice",
          sessions: [{ expires: expect.any(String) }],
        },
      ],
    });
    expect(text).not.toContain("session-token-never-shown");
    expect(text).not.toContain("access-token-never-shown");
  });

  it("answers 403 insufficient_scope for a valid token without the admin role", async () => {
    const token = await tokenWith([], { claims: { sub: "user-bob" } });
    const response = await admin(`Bearer ${token}`);
    await expectBearerRefusal(response, { status: 403, error: "insufficient_scope" }, [token]);
  });

  it.each([
    ["no roles claim at all", undefined],
    ["the role as a string", ADMIN_ROLE],
    ["the role in another case", ["Admin"]],
    ["the role nested in a list", [[ADMIN_ROLE]]],
    ["an object that looks like a list", { 0: ADMIN_ROLE, length: 1 }],
  ])("answers 403 for a valid token with %s", async (_label, roles) => {
    const response = await admin(`Bearer ${await tokenWith(roles)}`);
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope"/);
  });

  it("answers 403 for the admin role under a claim name that is not ours", async () => {
    const response = await admin(
      `Bearer ${await tokenWith(undefined, { claims: { roles: [ADMIN_ROLE], "https://evil.example/roles": [ADMIN_ROLE] } })}`,
    );
    expect(response.status).toBe(403);
  });

  it.each([
    [
      "a token for the other API, admin role and all",
      () => tokenWith([ADMIN_ROLE], { claims: { aud: OTHER_AUDIENCE } }),
    ],
    [
      "an ID token carrying the admin role",
      () => tokenWith([ADMIN_ROLE], { header: { typ: "JWT" }, claims: { aud: CLIENT_ID } }),
    ],
    [
      "a non-admin's token with the role added after signing",
      async () => {
        const [header, payload, signature] = (await tokenWith([])).split(".");
        const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
        return `${header}.${encodeSegment({ ...claims, [ROLES_CLAIM]: [ADMIN_ROLE] })}.${signature}`;
      },
    ],
    [
      "an admin token that expired",
      () => tokenWith([ADMIN_ROLE], { claims: { exp: Math.floor(Date.now() / 1000) - 300 } }),
    ],
  ])("answers 401 invalid_token for %s", async (_label, token) => {
    const sent = await token();
    await expectBearerRefusal(await admin(`Bearer ${sent}`), { status: 401, error: "invalid_token" }, [sent]);
  });

  it("answers 401 with a bare challenge without a token, and 400 for an admin token in the query string", async () => {
    await expectBearerRefusal(await admin(), { status: 401, error: "invalid_token", bare: true });
    const token = await tokenWith([ADMIN_ROLE]);
    await expectBearerRefusal(
      await admin(undefined, `/api/admin?access_token=${token}`),
      { status: 400, error: "invalid_request" },
      [token],
    );
  });
});
