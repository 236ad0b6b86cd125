/**
 * GET /api/me with DPoP-bound tokens, as Next.js runs it: the real settings, the real `jti` store
 * (the DpopProofJti table), and the public URL from APP_URL. One proof opens one request, however
 * many copies arrive at once; a proof is checked against the URL the client called, not the one
 * a proxy forwarded to; and the API's metadata (RFC 9728) says what it takes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DpopKey } from "@/lib/dpop/proof";
import { createProof } from "@/lib/dpop/proof";
import { apiRequest, startRouteHarness, type RouteHarness } from "@/test/api-route";
import { createDpopKey } from "@/test/dpop";

let harness: RouteHarness;
let GET: (request: Request) => Promise<Response>;
let metadata: (request: Request) => Response;
let key: DpopKey;
let token: string;

const PUBLIC_URL = "http://localhost:3000/api/me";

beforeAll(async () => {
  harness = await startRouteHarness();
  ({ GET } = await import("./route"));
  ({ GET: metadata } = await import("@/app/.well-known/oauth-protected-resource/[[...path]]/route"));
  key = await createDpopKey();
  token = await harness.mint({ claims: { cnf: { jkt: key.thumbprint } } });
});
afterAll(() => harness?.close());

/** A request as it reaches the app: `url` is what the server sees (behind a proxy, not the public one). */
function dpopRequest(proof: string, url = PUBLIC_URL, headers: Record<string, string> = {}): Request {
  return new Request(url, { headers: { authorization: `DPoP ${token}`, dpop: proof, ...headers } });
}

const proofFor = (htu = PUBLIC_URL) => createProof(key, { htm: "GET", htu, accessToken: token });

describe("GET /api/me with a DPoP-bound token", () => {
  it("answers 200 with a fresh proof and shows the binding", async () => {
    const response = await GET(dpopRequest(await proofFor()));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { claims: { cnf?: unknown } }).claims.cnf).toEqual({ jkt: key.thumbprint });
  });

  it("refuses the token alone, as Bearer and as DPoP without a proof", async () => {
    const asBearer = await GET(apiRequest("/api/me", `Bearer ${token}`));
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_token"/);
    const noProof = await GET(apiRequest("/api/me", `DPoP ${token}`));
    expect(noProof.status).toBe(401);
    expect(noProof.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  it("accepts one proof at most once when many copies arrive at once (the database decides)", async () => {
    const proof = await proofFor();
    const responses = await Promise.all(Array.from({ length: 20 }, () => GET(dpopRequest(proof))));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(19);
    expect((await GET(dpopRequest(await proofFor()))).status).toBe(200);
  });

  it("checks htu against APP_URL, not the address a proxy forwarded to nor a forwarded Host", async () => {
    const internal = "http://10.0.0.7:3000/api/me";
    expect((await GET(dpopRequest(await proofFor(), internal))).status).toBe(200);
    expect((await GET(dpopRequest(await proofFor(internal), internal))).status).toBe(401);
    const forged = { "x-forwarded-host": "evil.example", host: "evil.example" };
    const response = await GET(dpopRequest(await proofFor("http://evil.example/api/me"), PUBLIC_URL, forged));
    expect(response.status).toBe(401);
  });
});

describe("the API's Protected Resource Metadata (RFC 9728)", () => {
  it.each(["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/api"])(
    "is served at %s",
    async (path) => {
      const response = metadata(new Request(`http://localhost:3000${path}`));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        resource: "http://localhost:3000/api",
        authorization_servers: [harness.idp.issuer],
        bearer_methods_supported: ["header"],
        dpop_signing_alg_values_supported: expect.arrayContaining(["ES256"]),
        dpop_bound_access_tokens_required: false,
      });
    },
  );

  it("is not served at other paths under it", () => {
    expect(metadata(new Request("http://localhost:3000/.well-known/oauth-protected-resource/other")).status).toBe(404);
  });
});
