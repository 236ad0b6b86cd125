/**
 * DPoP end to end (RFC 9449): the app's sign-in got an access token bound to the app's key, its
 * API call carried the proof (the API answered with the token's `cnf.jkt`), and the same token
 * taken from the database and replayed from outside, without the key, opens nothing: not as a
 * Bearer token, not as DPoP without a proof, not with a proof of another key.
 */
import type { APIResponse } from "@playwright/test";
import { createHash, randomUUID } from "node:crypto";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import { expect, test } from "./fixtures";
import { storedTokens } from "./support/database";
import { alice, API_AUDIENCE, APP_URL, IDP_URL } from "./settings";

const claim = (testId: string, name: string) => `[data-testid="${testId}"] [data-claim="${name}"]`;

async function expectRefused(response: APIResponse, error: string): Promise<void> {
  expect(response.status()).toBe(401);
  const challenge = response.headers()["www-authenticate"] ?? "";
  expect(challenge).toMatch(new RegExp(`^DPoP error="${error}"`));
  expect(challenge).toContain('algs="');
  expect(challenge).toContain("resource_metadata=");
  expect(((await response.json()) as { error?: string }).error).toBe(error);
}

test("the dashboard's API call is DPoP-bound, and the token alone is refused from outside", async ({
  adminPage,
  request,
}) => {
  await adminPage.goto("/tokens");
  // The access token is bound to a key (cnf.jkt), and the inspector says what that means.
  await expect(adminPage.locator(claim("access-token-claims", "cnf"))).toContainText('"jkt"');
  await expect(adminPage.locator(claim("access-token-claims", "cnf")).getByTestId("claim-note")).toContainText(
    "DPoP-bound",
  );
  // The API took it, so the proof was right: it shows the same binding.
  await expect(adminPage.locator(claim("api-claims", "cnf"))).toContainText('"jkt"');
  await adminPage.goto("/dashboard");
  await expect(adminPage.getByTestId("api-roles")).toContainText("admin");

  for (const path of ["/api/me", "/api/admin"]) {
    // A page load first, so the stored token has life left (the run's tokens live 30 s).
    await adminPage.goto("/dashboard");
    const token = storedTokens(alice.email).accessToken ?? "";
    expect((decodeJwt(token).cnf as { jkt?: string }).jkt).toMatch(/^[\w-]{43}$/);
    await expectRefused(await request.get(path, { headers: { authorization: `Bearer ${token}` } }), "invalid_token");
    await expectRefused(await request.get(path, { headers: { authorization: `DPoP ${token}` } }), "invalid_dpop_proof");
    // A thief's own key signs a perfectly formed proof: the thumbprint is not the token's cnf.jkt.
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const proof = await new SignJWT({
      htm: "GET",
      htu: `${APP_URL}${path}`,
      jti: randomUUID(),
      ath: createHash("sha256").update(token).digest("base64url"),
    })
      .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: await exportJWK(publicKey) })
      .setIssuedAt()
      .sign(privateKey);
    await expectRefused(
      await request.get(path, { headers: { authorization: `DPoP ${token}`, dpop: proof } }),
      "invalid_dpop_proof",
    );
  }
});

test("the IdP and the API advertise DPoP (discovery, RFC 9728 metadata)", async ({ request }) => {
  const discovery = (await (await request.get(`${IDP_URL}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
  expect(discovery.dpop_signing_alg_values_supported).toContain("ES256");
  const metadata = await request.get("/.well-known/oauth-protected-resource/api");
  expect(metadata.status()).toBe(200);
  expect(await metadata.json()).toMatchObject({
    resource: API_AUDIENCE,
    authorization_servers: [IDP_URL],
    dpop_signing_alg_values_supported: expect.arrayContaining(["ES256"]),
    dpop_bound_access_tokens_required: false,
  });
});
