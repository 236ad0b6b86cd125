/**
 * The API reads the roles claim named by the ROLES_CLAIM setting (a tenant's own namespace),
 * in GET /api/admin's decision and in what GET /api/me reports; a claim under any other name,
 * the default one included, grants nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ADMIN_ROLE, ROLES_CLAIM } from "@/lib/shared/claims";
import { apiRequest, startRouteHarness, type RouteHarness } from "@/test/api-route";

const TENANT_CLAIM = "https://tenant.example/roles";

let harness: RouteHarness;
let admin: (request: Request) => Promise<Response>;
let me: (request: Request) => Promise<Response>;

beforeAll(async () => {
  harness = await startRouteHarness({ ROLES_CLAIM: TENANT_CLAIM });
  ({ GET: admin } = await import("./route"));
  ({ GET: me } = await import("../me/route"));
});
afterAll(() => harness?.close());

describe("ROLES_CLAIM", () => {
  it("makes the claim under the configured name the one that grants admin", async () => {
    const token = await harness.mint({ claims: { [TENANT_CLAIM]: [ADMIN_ROLE] } });
    expect((await admin(apiRequest("/api/admin", `Bearer ${token}`))).status).toBe(200);
    expect(await (await me(apiRequest("/api/me", `Bearer ${token}`))).json()).toMatchObject({ roles: [ADMIN_ROLE] });
  });

  it("ignores the default name once another is configured", async () => {
    const token = await harness.mint({ claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } });
    expect((await admin(apiRequest("/api/admin", `Bearer ${token}`))).status).toBe(403);
    expect(await (await me(apiRequest("/api/me", `Bearer ${token}`))).json()).toMatchObject({ roles: [] });
  });
});
