/**
 * Whose token the Management API takes: a token signed by this IdP for the Management API's
 * audience is not enough; it must also be claimtrip-management's own client-credentials token
 * (`client_id` and `sub` both the management client). A token a user got through another client,
 * should any configuration ever let one name this audience, opens nothing.
 */
import { importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANAGEMENT_CLIENT_ID, MANAGEMENT_CLIENT_SCOPES, WEB_CLIENT_ID } from "../clients.ts";
import { loadOrCreateKeys, SIGNING_ALG } from "../keys.ts";
import { startTestIdp, type TestIdp } from "../testing/harness.ts";

let t: TestIdp;
let audience: string;

beforeAll(async () => {
  t = await startTestIdp();
  audience = `${t.issuer}/api/v2/`;
});
afterAll(() => t?.close());

/** A token signed with the IdP's own key for the Management API, with these claims. */
async function signed(claims: Record<string, unknown>): Promise<string> {
  const [signing] = await loadOrCreateKeys(t.settings.IDP_DATA_DIR);
  if (!signing) throw new Error("the test IdP has no signing key");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: t.issuer,
    aud: audience,
    sub: MANAGEMENT_CLIENT_ID,
    iat: now - 10,
    exp: now + 60,
    client_id: MANAGEMENT_CLIENT_ID,
    scope: MANAGEMENT_CLIENT_SCOPES.join(" "),
    ...claims,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid: signing.jwk.kid })
    .sign(await importJWK(signing.jwk, SIGNING_ALG));
}

async function roles(token: string) {
  const response = await fetch(new URL("/api/v2/roles", t.issuer), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, challenge: response.headers.get("www-authenticate") };
}

describe("the Management API takes the management client's tokens only", () => {
  it.each([
    ["another client's token (the web app's), for a user", { client_id: WEB_CLIENT_ID, sub: "alice" }],
    ["another client's client-credentials token", { client_id: WEB_CLIENT_ID, sub: WEB_CLIENT_ID }],
    ["the management client's id, but a user's sub", { sub: "alice" }],
    ["the management client's sub, another client_id", { client_id: WEB_CLIENT_ID }],
    ["the management client's sub, no client_id", { client_id: undefined }],
  ])("refuses %s, though it is signed for the right audience", async (_name, claims) => {
    const result = await roles(await signed(claims));
    expect(result.status).toBe(401);
    expect(result.challenge).toMatch(/error="invalid_token"/);
  });

  it("takes the management client's own token (the control)", async () => {
    expect((await roles(await signed({}))).status).toBe(200);
  });
});
