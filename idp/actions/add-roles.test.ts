import { describe, expect, it } from "vitest";
import { ROLES_CLAIM } from "../../lib/shared/claims.ts";
import { runPostLoginActions } from "./runtime.ts";
import * as addRoles from "./add-roles.ts";
import type { PostLoginEvent } from "./types.ts";

const API = "https://api.example.test";

function event(
  clientId: string,
  resource: string | undefined,
  roles?: string[],
  secrets: Record<string, string> = {},
): PostLoginEvent {
  return {
    user: { user_id: "u", email: "u@example.com", name: "U", app_metadata: {} },
    authorization: { roles: roles ?? [] },
    client: { client_id: clientId, name: clientId },
    ...(resource ? { resource_server: { identifier: resource } } : {}),
    request: { ip: "127.0.0.1", hostname: "localhost", method: "GET", query: {}, body: {} },
    transaction: { requested_scopes: [], protocol: "oidc-basic-profile" },
    secrets: { API_AUDIENCE: API, ...secrets },
  };
}

const run = (e: PostLoginEvent) =>
  runPostLoginActions([{ name: "add-roles", onExecutePostLogin: addRoles.onExecutePostLogin }], e);

describe("add-roles", () => {
  it("adds the roles for claimtrip-web and the configured API only", async () => {
    expect((await run(event("claimtrip-web", API, ["admin"]))).accessTokenClaims).toEqual({ [ROLES_CLAIM]: ["admin"] });
    expect((await run(event("claimtrip-web", API))).accessTokenClaims).toEqual({ [ROLES_CLAIM]: [] });
  });

  it("names the claim after the ROLES_CLAIM secret when there is one", async () => {
    const claim = "https://tenant.example/roles";
    expect((await run(event("claimtrip-web", API, ["admin"], { ROLES_CLAIM: claim }))).accessTokenClaims).toEqual({
      [claim]: ["admin"],
    });
  });

  it("reads role assignments, never the old app_metadata.roles", async () => {
    const legacy = {
      ...event("claimtrip-web", API),
      user: { user_id: "u", email: "u@example.com", name: "U", app_metadata: { roles: ["admin"] } },
    };
    expect((await run(legacy)).accessTokenClaims).toEqual({ [ROLES_CLAIM]: [] });
  });

  it("reads the audience from secrets, not from a URL of its own", async () => {
    expect((await run(event("claimtrip-web", "http://localhost:3000/api", ["admin"]))).accessTokenClaims).toEqual({});
  });

  it("adds nothing for other clients, other APIs, no API, or the ID token", async () => {
    for (const e of [
      event("claimtrip-cli", API, ["admin"]),
      event("claimtrip-web", "urn:claimtrip:reports", ["admin"]),
      event("claimtrip-web", undefined, ["admin"]),
    ]) {
      expect(await run(e)).toEqual({ accessTokenClaims: {}, idTokenClaims: {} });
    }
    expect((await run(event("claimtrip-web", API, ["admin"]))).idTokenClaims).toEqual({});
  });
});
