/**
 * Property-based fuzzing of the verifier and of `protect()`: thousands of random and mutated
 * tokens and Authorization headers. Whatever arrives, the answer is a 400 or 401 in RFC 6750
 * form (never a 500, never a 200) unless it is, byte for byte, an honest token; and no flood of
 * unknown keys turns into a flood of JWKS fetches. Keys are served from memory, so thousands of
 * runs take seconds.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ADMIN_ROLE, ROLES_CLAIM } from "../shared/claims";
import { InvalidTokenError } from "./errors";
import { protect } from "./index";
import { AUDIENCE, createTestKey, mintAccessToken, type TestKey } from "../../test/tokens";
import {
  acceptedCredential,
  authorizationHeaders,
  headersFrom,
  honestTokenFor,
  mutatedToken,
  randomToken,
} from "../../test/fuzz";
import type { FetchLike } from "./key-source";
import { createAccessTokenVerifier, type AccessTokenVerifier } from "./verify";

const ISSUER = "https://issuer.claimtrip.test";
const JWKS_URI = `${ISSUER}/jwks`;
const API = "http://localhost:3000/api/me";

let rsa: TestKey;
let ec: TestKey;
let valid: string[];
let verifier: AccessTokenVerifier;
let jwksFetches = 0;
const started = Date.now();

beforeAll(async () => {
  [rsa, ec] = await Promise.all([createTestKey("RS256"), createTestKey("ES256")]);
  const inMemoryJwks: FetchLike = async (url) => {
    expect(url).toBe(JWKS_URI);
    jwksFetches++;
    return Response.json({ keys: [rsa.jwk, ec.jwk] });
  };
  verifier = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: JWKS_URI, fetch: inMemoryJwks });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  valid = await Promise.all([
    mintAccessToken(rsa, { issuer: ISSUER, claims: { exp, [ROLES_CLAIM]: [ADMIN_ROLE] } }),
    mintAccessToken(ec, { issuer: ISSUER, claims: { exp, sub: "user-bob", [ROLES_CLAIM]: [] } }),
  ]);
});

afterAll(() => {
  // An hour of fuzzing would be one fetch plus one per 30 s cooldown; a few seconds is at most two.
  const cooldowns = Math.ceil((Date.now() - started) / 30_000);
  expect(jwksFetches).toBeGreaterThanOrEqual(1);
  expect(jwksFetches).toBeLessThanOrEqual(1 + cooldowns);
});

/** Pieces of the credential long enough that finding them in a response would be an echo. */
const pieces = (values: readonly string[]) =>
  values.flatMap((value) => value.split(/[\s.,]+/)).filter((piece) => piece.length >= 16);

async function expectRfc6750Refusal(response: Response, sent: readonly string[]): Promise<void> {
  expect([400, 401]).toContain(response.status);
  const text = await response.text();
  const body = JSON.parse(text) as { error: string; error_description: string };
  expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
  expect(body.error).toBe(response.status === 400 ? "invalid_request" : "invalid_token");
  const challenge = response.headers.get("www-authenticate") ?? "";
  // No credentials this API takes (no header, another scheme): a bare challenge (RFC 6750 §3.1).
  expect(challenge).toMatch(
    new RegExp(`^Bearer( error="${body.error}", error_description="[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]+")?$`),
  );
  if (challenge === "Bearer") expect(body.error).toBe("invalid_token");
  for (const piece of pieces(sent)) {
    expect(text).not.toContain(piece);
    expect(challenge).not.toContain(piece);
  }
}

describe("the verifier under fuzzing", () => {
  it("sanity: the honest tokens pass, and the oracle knows them", async () => {
    for (const token of valid) {
      await expect(verifier.verify(token)).resolves.toBeDefined();
      expect(honestTokenFor(token, valid)).toBe(token);
    }
  });

  it("refuses every mutated token with InvalidTokenError, unless it is an honest token in another spelling", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedToken(valid), async (token) => {
        const honest = honestTokenFor(token, valid);
        const outcome = await verifier.verify(token).then(
          (verified) => ({ ok: true as const, verified }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        if (honest) {
          expect(outcome.ok).toBe(true);
          return;
        }
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.error).toBeInstanceOf(InvalidTokenError);
      }),
      { numRuns: 2500 },
    );
  });

  it("refuses any random string with InvalidTokenError", async () => {
    await fc.assert(
      fc.asyncProperty(randomToken(), async (token) => {
        await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
      }),
      { numRuns: 1500 },
    );
  });
});

describe("protect() under fuzzing", () => {
  it("answers every hostile Authorization header with an RFC 6750 400 or 401, and only honest tokens with 200", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(authorizationHeaders(valid), async (values) => {
        const request = new Request(API, { headers: headersFrom(values) });
        const honest = acceptedCredential(request.headers.get("authorization"), valid);
        const result = await protect(verifier, request);
        if (honest) {
          accepted++;
          expect(result.ok).toBe(true);
          if (result.ok)
            expect(result.token.payload.jti).toBe(
              JSON.parse(atob(honest.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).jti,
            );
          return;
        }
        expect(result.ok).toBe(false);
        if (!result.ok) await expectRfc6750Refusal(result.response, values);
      }),
      { numRuns: 2500 },
    );
    // The generator does produce the honest case now and then, so "never 200" is not vacuous.
    expect(accepted).toBeGreaterThan(0);
  });

  it("keeps serving: an honest token passes after the fuzzing", async () => {
    const result = await protect(verifier, new Request(API, { headers: { authorization: `Bearer ${valid[0]}` } }));
    expect(result.ok).toBe(true);
  });
});
