/**
 * The two programs together: tokens the real IdP (idp/, through its login page) issues, checked by
 * the API's verifier (lib/resource-server/). Neither program imports the other; only this test
 * does. The access token for this API passes; the IdP's other tokens (for the other API, the ID
 * token, the CLI's, the opaque userinfo token) and tokens signed by a key rotated out do not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { CLI_CLIENT_ID } from "../idp/clients.ts";
import { rotateKeys } from "../idp/keys.ts";
import { REPORTS_API } from "../idp/resources.ts";
import { authorize, exchangeCode, startTestIdp, type TestIdp } from "../idp/testing/harness.ts";
import { ADMIN_ROLE, ROLES_CLAIM } from "../lib/shared/claims";
import {
  BearerError,
  claimIncludes,
  createAccessTokenVerifier,
  requireClaimIncludes,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from "../lib/resource-server";

const API = "http://localhost:3000/api";
let t: TestIdp;
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  t = await startTestIdp();
  verifier = createAccessTokenVerifier({ issuer: t.issuer, audience: API });
});
afterAll(() => t?.close());
afterEach(() => vi.useRealTimers());

async function signIn(
  params: Record<string, string> = { audience: API },
  options: Parameters<typeof authorize>[1] = {},
) {
  const result = await authorize(t, { ...options, params });
  const tokens = await exchangeCode(
    t,
    result,
    options.clientId === CLI_CLIENT_ID ? "none" : "basic",
    options.clientId ? { client_id: options.clientId } : {},
  );
  expect(tokens.status).toBe(200);
  return tokens.body;
}

async function refusal(promise: Promise<unknown>): Promise<BearerError> {
  const error = await promise.then(
    () => expect.unreachable("the token was accepted"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BearerError);
  return error as BearerError;
}

describe("tokens from the real IdP at the API's verifier", () => {
  it("accepts alice's access token for this API and reads the admin role from it", async () => {
    const { payload } = await verifier.verify(String((await signIn()).access_token));
    expect(payload.sub).toBe("alice");
    expect(payload[ROLES_CLAIM]).toEqual([ADMIN_ROLE]);
  });

  it("refuses a real access token for urn:claimtrip:reports (wrong aud)", async () => {
    const tokens = await signIn({ audience: REPORTS_API });
    expect((await refusal(verifier.verify(String(tokens.access_token)))).reason).toBe("aud");
  });

  it("refuses the real ID token as an access token: typ, and aud when the typ check is off", async () => {
    const { id_token: idToken } = await signIn();
    expect((await refusal(verifier.verify(String(idToken)))).reason).toBe("typ");
    const lenient = createAccessTokenVerifier({ issuer: t.issuer, audience: API, requiredTyp: false });
    expect((await refusal(lenient.verify(String(idToken)))).reason).toBe("aud");
  });

  it("refuses the opaque userinfo access token issued when no API is named", async () => {
    const tokens = await signIn({});
    expect((await refusal(verifier.verify(String(tokens.access_token)))).reason).toBe("malformed");
  });

  it("accepts claimtrip-cli's token but finds no admin role in it: 403 at the admin check", async () => {
    const tokens = await signIn(
      { audience: API },
      { clientId: CLI_CLIENT_ID, redirectUri: "http://127.0.0.1:53999/callback" },
    );
    const verified = await verifier.verify(String(tokens.access_token));
    expect(claimIncludes(verified, ROLES_CLAIM, ADMIN_ROLE)).toBe(false);
    expect(() => requireClaimIncludes(verified, ROLES_CLAIM, ADMIN_ROLE)).toThrow(
      expect.objectContaining({ status: 403, code: "insufficient_scope" }),
    );
  });

  it("refuses tokens signed by a key rotated out of the JWKS, once the verifier's cache ages out", async () => {
    const options: AccessTokenVerifierOptions = { issuer: t.issuer, audience: API, cacheMaxAge: 60_000 };
    const shortCache = createAccessTokenVerifier(options);
    const oldToken = String((await signIn()).access_token);
    await expect(shortCache.verify(oldToken)).resolves.toBeDefined();

    // Two rotations with no retention: the key that signed oldToken is dropped from the JWKS.
    await rotateKeys(t.settings.IDP_DATA_DIR, 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { pruned } = await rotateKeys(t.settings.IDP_DATA_DIR, 0);
    expect(pruned).toHaveLength(1);
    await t.restart();
    const newToken = String((await signIn()).access_token);

    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
    expect((await refusal(shortCache.verify(oldToken))).reason).toBe("unknown_key");
    await expect(shortCache.verify(newToken)).resolves.toBeDefined();
  });
});
