/**
 * DPoP at the API (RFC 9449), driven through `protect()` the way app/api/* does: every hostile
 * request gets a 401 with the RFC 9449 challenge (`DPoP error="invalid_dpop_proof"` or
 * `invalid_token`, `algs`, `resource_metadata`), the reason meant, and the next honest request
 * is served. A bound token alone, as Bearer or as DPoP without a proof, opens nothing.
 */
import { randomBytes } from "node:crypto";

import { base64url, exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createProof, type DpopKey } from "../dpop/proof";
import {
  createAccessTokenVerifier,
  createDpopVerifier,
  createMemoryReplayStore,
  protect,
  type AccessTokenVerifier,
  type DpopMode,
  type ProtectResult,
} from "./index";
import { PROOF_KEY_CACHE_SIZE } from "./dpop";
import { startFakeOp, type FakeOp } from "../../test/fake-op";
import { createDpopKey, signProof } from "../../test/dpop";
import { createTestKey, encodeSegment, mintAccessToken, type TestKey } from "../../test/tokens";
import { AUDIENCE } from "../../test/tokens";

const URL_ME = "https://app.example/api/me";
const METADATA = "https://app.example/.well-known/oauth-protected-resource/api";

let idp: FakeOp;
let issuerKey: TestKey;
let verifier: AccessTokenVerifier;
let client: DpopKey;
let thief: DpopKey;
let bound: string;
let unbound: string;

beforeAll(async () => {
  issuerKey = await createTestKey("ES256");
  idp = await startFakeOp({ keys: [issuerKey] });
  verifier = createAccessTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE });
  [client, thief] = await Promise.all([createDpopKey(), createDpopKey()]);
  bound = await mintAccessToken(issuerKey, { issuer: idp.issuer, claims: { cnf: { jkt: client.thumbprint } } });
  unbound = await mintAccessToken(issuerKey, { issuer: idp.issuer });
});
afterAll(() => idp.close());

function api(mode: DpopMode = "allowed") {
  const dpop = createDpopVerifier({ mode, replayStore: createMemoryReplayStore(), algorithms: ["ES256", "PS256"] });
  return (request: Request): Promise<ProtectResult> =>
    protect(verifier, request, undefined, { dpop, resourceMetadata: METADATA });
}

interface Call {
  scheme?: string;
  token?: string;
  proofs?: string[];
  method?: string;
  url?: string;
}

function request({ scheme = "DPoP", token = bound, proofs = [], method = "GET", url = URL_ME }: Call): Request {
  const headers = new Headers({ authorization: `${scheme} ${token}` });
  for (const proof of proofs) headers.append("dpop", proof);
  return new Request(url, { method, headers });
}

const honestProof = (token = bound, method = "GET", url = URL_ME) =>
  createProof(client, { htm: method, htu: url, accessToken: token });

async function refusal(result: ProtectResult) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error("accepted");
  const { response, error } = result;
  const body = (await response.json()) as Record<string, unknown>;
  return {
    status: response.status,
    challenge: response.headers.get("www-authenticate") ?? "",
    body,
    reason: error.reason,
  };
}

describe("a DPoP-bound token at the API", () => {
  const serve = api();

  it("is accepted with a fresh proof of its key", async () => {
    const result = await serve(request({ proofs: [await honestProof()] }));
    expect(result.ok).toBe(true);
  });

  type Case = { name: string; call: () => Promise<Call>; error: string; reason: string };
  const proofFor = (hostile: Parameters<typeof signProof>[2], req: Partial<{ htm: string; htu: string }> = {}) =>
    signProof(client, { htm: "GET", htu: URL_ME, token: bound, ...req }, hostile);
  const cases: Case[] = [
    {
      name: "without a proof (DPoP scheme)",
      call: async () => ({}),
      error: "invalid_dpop_proof",
      reason: "missing_proof",
    },
    {
      name: "sent as Bearer, even with a valid proof",
      call: async () => ({ scheme: "Bearer", proofs: [await honestProof()] }),
      error: "invalid_token",
      reason: "bound_as_bearer",
    },
    {
      name: "sent as Bearer alone",
      call: async () => ({ scheme: "Bearer" }),
      error: "invalid_token",
      reason: "bound_as_bearer",
    },
    {
      name: "with a proof for another method",
      call: async () => ({ proofs: [await proofFor({}, { htm: "POST" })] }),
      error: "invalid_dpop_proof",
      reason: "htm",
    },
    {
      name: "with a proof for another host",
      call: async () => ({ proofs: [await proofFor({}, { htu: "https://evil.example/api/me" })] }),
      error: "invalid_dpop_proof",
      reason: "htu",
    },
    {
      name: "with a proof for another path",
      call: async () => ({ proofs: [await proofFor({}, { htu: "https://app.example/api/admin" })] }),
      error: "invalid_dpop_proof",
      reason: "htu",
    },
    {
      name: "with a proof whose htu has a query",
      call: async () => ({ proofs: [await proofFor({}, { htu: `${URL_ME}?x=1` })], url: `${URL_ME}?x=1` }),
      error: "invalid_dpop_proof",
      reason: "htu",
    },
    {
      name: "with a proof whose iat is too old",
      call: async () => ({ proofs: [await proofFor({ claims: { iat: Math.floor(Date.now() / 1000) - 120 } })] }),
      error: "invalid_dpop_proof",
      reason: "iat_too_old",
    },
    {
      name: "with a proof issued in the future",
      call: async () => ({ proofs: [await proofFor({ claims: { iat: Math.floor(Date.now() / 1000) + 60 } })] }),
      error: "invalid_dpop_proof",
      reason: "iat_future",
    },
    {
      name: "with a proof without ath",
      call: async () => ({ proofs: [await proofFor({ claims: { ath: undefined } })] }),
      error: "invalid_dpop_proof",
      reason: "ath",
    },
    {
      name: "with a proof for another token (wrong ath)",
      call: async () => ({ proofs: [await honestProof(unbound)] }),
      error: "invalid_dpop_proof",
      reason: "ath",
    },
    {
      name: "with a proof signed by another key than cnf.jkt",
      call: async () => ({ proofs: [await createProof(thief, { htm: "GET", htu: URL_ME, accessToken: bound })] }),
      error: "invalid_dpop_proof",
      reason: "jkt",
    },
    {
      name: "with an alg: none proof",
      call: async () => {
        const header = encodeSegment({ alg: "none", typ: "dpop+jwt", jwk: client.publicJwk });
        const payload = encodeSegment({ htm: "GET", htu: URL_ME, iat: Math.floor(Date.now() / 1000), jti: "n" });
        return { proofs: [`${header}.${payload}.${base64url.encode("x")}`] };
      },
      error: "invalid_dpop_proof",
      reason: "alg_not_allowed",
    },
    {
      name: "with an HS256 proof",
      call: async () => ({ proofs: [await proofFor({ signWith: { alg: "HS256", key: randomBytes(32) } })] }),
      error: "invalid_dpop_proof",
      reason: "alg_not_allowed",
    },
    {
      name: "with a private key in the proof's header",
      call: async () => {
        const { privateKey } = await generateKeyPair("ES256", { extractable: true });
        const jwk = await exportJWK(privateKey);
        return { proofs: [await proofFor({ header: { jwk }, signWith: { alg: "ES256", key: privateKey } })] };
      },
      error: "invalid_dpop_proof",
      reason: "private_key",
    },
    {
      name: "with two DPoP headers",
      call: async () => ({ proofs: [await honestProof(), await honestProof()] }),
      error: "invalid_dpop_proof",
      reason: "multiple_proofs",
    },
    {
      name: "with an oversized proof",
      call: async () => ({ proofs: [await proofFor({ claims: { pad: "x".repeat(5000) } })] }),
      error: "invalid_dpop_proof",
      reason: "too_large",
    },
    {
      name: "with the access token itself as the proof",
      call: async () => ({ proofs: [bound] }),
      error: "invalid_dpop_proof",
      reason: "typ",
    },
    {
      name: "with a proof whose signature does not match its key",
      call: async () => ({ proofs: [await proofFor({ signWith: { alg: "ES256", key: thief.privateKey } })] }),
      error: "invalid_dpop_proof",
      reason: "signature",
    },
    {
      name: "with a proof without jti",
      call: async () => ({ proofs: [await proofFor({ claims: { jti: undefined } })] }),
      error: "invalid_dpop_proof",
      reason: "jti",
    },
  ];

  it.each(cases)("is refused $name, and the API still serves", async ({ call, error, reason }) => {
    const refused = await refusal(await serve(request(await call())));
    expect(refused).toMatchObject({ status: 401, reason, body: { error } });
    expect(refused.challenge).toMatch(
      new RegExp(`^DPoP error="${error}", error_description="[^"]+", algs="ES256 PS256"`),
    );
    expect(refused.challenge).toContain(`resource_metadata="${METADATA}"`);
    expect(refused.challenge).toMatch(/, Bearer resource_metadata=/);
    expect(JSON.stringify(refused.body)).not.toContain(bound.slice(-20));
    expect((await serve(request({ proofs: [await honestProof()] }))).ok).toBe(true);
  });

  it("refuses a replayed proof (same jti)", async () => {
    const proof = await honestProof();
    expect((await serve(request({ proofs: [proof] }))).ok).toBe(true);
    const refused = await refusal(await serve(request({ proofs: [proof] })));
    expect(refused).toMatchObject({ status: 401, reason: "replayed", body: { error: "invalid_dpop_proof" } });
  });

  it("accepts one proof at most once, however many copies arrive at once", async () => {
    const proof = await honestProof();
    const results = await Promise.all(Array.from({ length: 25 }, () => serve(request({ proofs: [proof] }))));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it("compares htu after normalisation and ignores the request's query", async () => {
    const proof = await signProof(client, { htm: "GET", htu: "HTTPS://APP.example:443/api/./me", token: bound });
    expect((await serve(request({ proofs: [proof], url: `${URL_ME}?page=2` }))).ok).toBe(true);
  });
});

describe("the DPoP mode", () => {
  it("answers no credentials with a bare challenge per accepted scheme (RFC 6750 §3.1, RFC 9449 §7.1)", async () => {
    const metadata = `resource_metadata="${METADATA}"`;
    const expected = {
      allowed: `Bearer ${metadata}, DPoP algs="ES256 PS256", ${metadata}`,
      required: `DPoP algs="ES256 PS256", ${metadata}`,
      off: `Bearer ${metadata}`,
    } as const;
    for (const mode of ["allowed", "required", "off"] as const) {
      const refused = await refusal(await api(mode)(new Request(URL_ME)));
      expect(refused, mode).toMatchObject({ status: 401, reason: "missing", body: { error: "invalid_token" } });
      expect(refused.challenge, mode).toBe(expected[mode]);
    }
    const invalid = await refusal(await api("allowed")(request({ token: "not-a-jwt" })));
    expect(invalid.challenge).toMatch(/^DPoP error="invalid_token", error_description="[^"]+", algs=/);
  });

  it("allowed: a plain bearer token still works, and the DPoP scheme with it is refused", async () => {
    const serve = api("allowed");
    expect((await serve(request({ scheme: "Bearer", token: unbound }))).ok).toBe(true);
    const refused = await refusal(await serve(request({ token: unbound, proofs: [await honestProof(unbound)] })));
    expect(refused).toMatchObject({ status: 401, reason: "unbound_as_dpop", body: { error: "invalid_token" } });
  });

  it("required: a plain bearer token is refused with a DPoP challenge only, bare as for no credentials", async () => {
    const serve = api("required");
    const refused = await refusal(await serve(request({ scheme: "Bearer", token: unbound })));
    expect(refused).toMatchObject({ status: 401, reason: "unsupported_scheme", body: { error: "invalid_token" } });
    expect(refused.challenge).toBe(`DPoP algs="ES256 PS256", resource_metadata="${METADATA}"`);
    expect(refused.challenge).not.toContain("Bearer");
    expect((await serve(request({ proofs: [await honestProof()] }))).ok).toBe(true);
  });

  it("off: the DPoP scheme is unknown and a bound token opens nothing", async () => {
    const serve = api("off");
    expect(await refusal(await serve(request({ proofs: [await honestProof()] })))).toMatchObject({
      status: 401,
      reason: "unsupported_scheme",
    });
    const refused = await refusal(await serve(request({ scheme: "Bearer" })));
    expect(refused).toMatchObject({ status: 401, reason: "bound_as_bearer" });
    expect(refused.challenge).toMatch(/^Bearer error="invalid_token"/);
    expect((await serve(request({ scheme: "Bearer", token: unbound }))).ok).toBe(true);
  });

  it("without a DPoP verifier, protect() still never takes a bound token as a bearer token", async () => {
    const result = await protect(verifier, request({ scheme: "Bearer" }));
    expect(await refusal(result)).toMatchObject({ status: 401, reason: "bound_as_bearer" });
  });
});

describe("createMemoryReplayStore", () => {
  it("refuses an id it holds, and takes it again once it expired", async () => {
    const store = createMemoryReplayStore();
    const soon = new Date(Date.now() + 60_000);
    expect(await store.add("a", soon)).toBe(true);
    expect(await store.add("a", soon)).toBe(false);
    expect(await store.add("b", new Date(Date.now() - 1))).toBe(true);
    expect(await store.add("b", soon)).toBe(true);
  });
});

describe("proof keys imported once", () => {
  it("still checks every proof's signature, alg and key binding with a key imported before", async () => {
    const serve = api();
    expect((await serve(request({ proofs: [await honestProof()] }))).ok).toBe(true);
    // The same public key in the header, signed by someone else: the import is reused, the signature is not.
    const forged = await signProof(
      client,
      { htm: "GET", htu: URL_ME, token: bound },
      { signWith: { alg: "ES256", key: thief.privateKey } },
    );
    expect((await refusal(await serve(request({ proofs: [forged] })))).reason).toBe("signature");
    // The same key text under another alg is a new import, and fails as one.
    const [, payload, signature] = (await honestProof()).split(".");
    const psHeader = encodeSegment({ alg: "PS256", typ: "dpop+jwt", jwk: client.publicJwk });
    const otherAlg = `${psHeader}.${payload}.${signature}`;
    expect((await refusal(await serve(request({ proofs: [otherAlg] })))).reason).toBe("signature");
    // The thief's own key, imported once, still does not open a token bound to the client's.
    const thiefs = () => signProof(thief, { htm: "GET", htu: URL_ME, token: bound });
    expect((await refusal(await serve(request({ proofs: [await thiefs()] })))).reason).toBe("jkt");
    expect((await refusal(await serve(request({ proofs: [await thiefs()] })))).reason).toBe("jkt");
  });

  it(`keeps at most ${PROOF_KEY_CACHE_SIZE} keys, and a key pushed out is imported again`, async () => {
    const serve = api();
    const keys = await Promise.all(Array.from({ length: PROOF_KEY_CACHE_SIZE + 20 }, () => createDpopKey()));
    const tokenFor = (key: DpopKey) =>
      mintAccessToken(issuerKey, { issuer: idp.issuer, claims: { cnf: { jkt: key.thumbprint } } });
    for (const key of [...keys, keys[0] as DpopKey, keys[1] as DpopKey]) {
      const token = await tokenFor(key);
      const proof = await createProof(key, { htm: "GET", htu: URL_ME, accessToken: token });
      expect((await serve(request({ token, proofs: [proof] }))).ok).toBe(true);
      // Each key's thumbprint is its own, whatever else the cache holds.
      const other = keys[(keys.indexOf(key) + 1) % keys.length] as DpopKey;
      const mismatched = await createProof(other, { htm: "GET", htu: URL_ME, accessToken: token });
      expect((await refusal(await serve(request({ token, proofs: [mismatched] })))).reason).toBe("jkt");
    }
  });

  it("does not keep a key that failed to import: it fails the same way each time", async () => {
    const serve = api();
    const broken = { ...client.publicJwk, x: base64url.encode(randomBytes(32)) };
    for (let i = 0; i < 2; i++) {
      const proof = await signProof(client, { htm: "GET", htu: URL_ME, token: bound }, { header: { jwk: broken } });
      expect((await refusal(await serve(request({ proofs: [proof] })))).reason).toBe("signature");
    }
  });
});
