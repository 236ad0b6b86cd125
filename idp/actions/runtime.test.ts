import { describe, expect, it } from "vitest";
import { ROLES_CLAIM } from "../../lib/shared/claims.ts";
import {
  ActionDefinitionError,
  ActionDeniedError,
  ActionFailedError,
  assertClaimName,
  ClaimNameError,
  loadActions,
  runPostLoginActions,
} from "./runtime.ts";
import type { PostLoginAction, PostLoginEvent } from "./types.ts";

const event: PostLoginEvent = {
  user: { user_id: "alice", email: "alice@example.com", name: "Alice", app_metadata: { roles: ["admin"] } },
  authorization: { roles: ["admin"] },
  client: { client_id: "claimtrip-web", name: "Claimtrip" },
  resource_server: { identifier: "http://localhost:3000/api" },
  request: { ip: "127.0.0.1", hostname: "localhost", method: "GET", query: {}, body: {} },
  transaction: { requested_scopes: ["openid"], protocol: "oidc-basic-profile" },
  secrets: { API_AUDIENCE: "http://localhost:3000/api" },
};

const action = (name: string, run: PostLoginAction["onExecutePostLogin"]): PostLoginAction => ({
  name,
  onExecutePostLogin: run,
});

describe("claim names", () => {
  it.each(["roles", "groups", "permissions", "admin", "my_claim"])(
    "refuses the non-namespaced %s, explaining namespacing",
    (name) => {
      expect(() => assertClaimName(name)).toThrow(ClaimNameError);
      expect(() => assertClaimName(name)).toThrow(
        /not namespaced.*Auth0 silently drops.*https:\/\/claimtrip\.example\//,
      );
    },
  );

  it.each(["sub", "iss", "aud", "email", "scope", "client_id", "nonce"])("refuses the registered claim %s", (name) => {
    expect(() => assertClaimName(name)).toThrow(/registered JWT\/OIDC claim/);
  });

  it("refuses namespaces Auth0 reserves and non-web URLs", () => {
    expect(() => assertClaimName("https://tenant.auth0.com/roles")).toThrow(/reserves/);
    expect(() => assertClaimName("urn:claimtrip:roles")).toThrow(/not namespaced/);
    expect(() => assertClaimName("")).toThrow(ClaimNameError);
  });

  it("accepts URL-namespaced names", () => {
    expect(() => assertClaimName(ROLES_CLAIM)).not.toThrow();
    expect(() => assertClaimName("http://example.org/x")).not.toThrow();
  });
});

describe("loading", () => {
  it("refuses literal bad claim names before anything runs", () => {
    const bad = action("bad", (_e, api) => api.accessToken.setCustomClaim("groups", []));
    expect(() => loadActions([bad])).toThrow(ActionDefinitionError);
    expect(() => loadActions([bad])).toThrow(/Action "bad": "groups" is not namespaced/);
    const badId = action("bad-id", (_e, api) => api.idToken.setCustomClaim("email", "x"));
    expect(() => loadActions([badId])).toThrow(/"email" is a registered/);
  });

  it("refuses unnamed, duplicate and handler-less actions", () => {
    expect(() => loadActions([action("", () => undefined)])).toThrow(/needs a name/);
    expect(() => loadActions([action("a", () => undefined), action("a", () => undefined)])).toThrow(/listed twice/);
    expect(() => loadActions([{ name: "x" } as PostLoginAction])).toThrow(/must export onExecutePostLogin/);
  });

  it("accepts the shipped actions", async () => {
    const { postLoginActions } = await import("./index.ts");
    expect(loadActions(postLoginActions).map((a) => a.name)).toEqual(["add-roles"]);
  });
});

describe("running", () => {
  it("runs in order and collects claims per token", async () => {
    const order: string[] = [];
    const outcome = await runPostLoginActions(
      [
        action("one", (_e, api) => {
          order.push("one");
          api.accessToken.setCustomClaim("https://claimtrip.example/a", 1);
        }),
        action("two", async (_e, api) => {
          order.push("two");
          api.idToken.setCustomClaim("https://claimtrip.example/b", { nested: true });
        }),
      ],
      event,
    );
    expect(order).toEqual(["one", "two"]);
    expect(outcome).toEqual({
      accessTokenClaims: { "https://claimtrip.example/a": 1 },
      idTokenClaims: { "https://claimtrip.example/b": { nested: true } },
    });
  });

  it("stops at the first deny, with its reason", async () => {
    let ranAfter = false;
    const run = runPostLoginActions(
      [action("gate", (_e, api) => api.access.deny("not today")), action("later", () => void (ranAfter = true))],
      event,
    );
    await expect(run).rejects.toBeInstanceOf(ActionDeniedError);
    await expect(run).rejects.toMatchObject({ action: "gate", reason: "not today" });
    expect(ranAfter).toBe(false);
  });

  it("turns a throw, a bad runtime claim name or a timeout into ActionFailedError", async () => {
    await expect(
      runPostLoginActions(
        [
          action("boom", () => {
            throw new Error("boom");
          }),
        ],
        event,
      ),
    ).rejects.toBeInstanceOf(ActionFailedError);
    const computed = action("computed", (_e, api) => api.accessToken.setCustomClaim(["ro", "les"].join(""), []));
    await expect(runPostLoginActions([computed], event)).rejects.toThrow(/"roles" is not namespaced/);
    const slow = action("slow", () => new Promise((resolve) => setTimeout(resolve, 200)));
    await expect(runPostLoginActions([slow], event, 20)).rejects.toThrow(/timed out/);
  });

  it("gives actions a frozen copy of the event", async () => {
    const mutate = action("mutate", (e) => {
      (e.user.app_metadata.roles as string[]).push("root");
    });
    await expect(runPostLoginActions([mutate], event)).rejects.toBeInstanceOf(ActionFailedError);
    expect(event.user.app_metadata.roles).toEqual(["admin"]);
  });
});
