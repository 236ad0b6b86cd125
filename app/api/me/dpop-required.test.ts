/**
 * API_DPOP=required: plain bearer tokens are refused with a DPoP challenge, DPoP-bound tokens with
 * their proof still work, and the metadata says so (RFC 9728 `dpop_bound_access_tokens_required`).
 */
import { afterAll, beforeAll, expect, it } from "vitest";

import { createProof } from "@/lib/dpop/proof";
import { apiRequest, startRouteHarness, type RouteHarness } from "@/test/api-route";
import { createDpopKey } from "@/test/dpop";

let harness: RouteHarness;
let GET: (request: Request) => Promise<Response>;
let metadata: (request: Request) => Response;

beforeAll(async () => {
  harness = await startRouteHarness({ API_DPOP: "required" });
  ({ GET } = await import("./route"));
  ({ GET: metadata } = await import("@/app/.well-known/oauth-protected-resource/[[...path]]/route"));
});
afterAll(() => harness?.close());

it("refuses a plain bearer token, and says DPoP is required", async () => {
  const response = await GET(apiRequest("/api/me", `Bearer ${await harness.mint()}`));
  expect(response.status).toBe(401);
  // The Bearer scheme is not one this API takes: no credentials, a bare challenge (RFC 6750 §3.1).
  expect(response.headers.get("www-authenticate")).toMatch(
    /^DPoP realm="[^"]+", algs="[^"]+", resource_metadata="[^"]+"$/,
  );
  expect(response.headers.get("www-authenticate")).not.toMatch(/Bearer/);
  const body = metadata(new Request("http://localhost:3000/.well-known/oauth-protected-resource"));
  expect(await body.json()).toMatchObject({ dpop_bound_access_tokens_required: true });
});

it("takes a DPoP-bound token with its proof", async () => {
  const key = await createDpopKey();
  const token = await harness.mint({ claims: { cnf: { jkt: key.thumbprint } } });
  const proof = await createProof(key, { htm: "GET", htu: "http://localhost:3000/api/me", accessToken: token });
  const response = await GET(apiRequest("/api/me", `DPoP ${token}`, { headers: { dpop: proof } }));
  expect(response.status).toBe(200);
});
