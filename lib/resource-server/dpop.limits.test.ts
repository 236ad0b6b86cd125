/**
 * The DPoP proof verifier (RFC 9449) at its edges, called directly: every refusal is a 401
 * `invalid_dpop_proof` with its fixed description and reason, every length limit is accepted at
 * its maximum and refused one over, every time window is tested at its edge, and the RFC 9449
 * challenge the API sends for it is checked once.
 */
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { createDpopKey, signProof, ath } from "../../test/dpop";
import { encodeSegment } from "../../test/tokens";
import type { DpopKey } from "../dpop/proof";
import {
  boundThumbprint,
  createDpopVerifier,
  createMemoryReplayStore,
  type DpopProofInput,
  type DpopVerifier,
  type ReplayStore,
} from "./dpop";
import { InvalidDpopProofError, toResponse } from "./errors";

const URL_ME = "https://app.example/api/me";
const TOKEN = "the.access.token";
const NOW = 1_800_000_000;

let client: DpopKey;

beforeAll(async () => {
  client = await createDpopKey();
});
afterEach(() => {
  vi.useRealTimers();
});

const verifier = (options: Parameters<typeof createDpopVerifier>[0] = {}): DpopVerifier =>
  createDpopVerifier({ replayStore: createMemoryReplayStore(), ...options });

const input = (proof: string | string[], overrides: Partial<DpopProofInput> = {}): DpopProofInput => ({
  method: "GET",
  url: URL_ME,
  proofs: Array.isArray(proof) ? proof : [proof],
  accessToken: TOKEN,
  jkt: client.thumbprint,
  ...overrides,
});

const proofFor = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, url = URL_ME) =>
  signProof(client, { htm: "GET", htu: url, token: TOKEN }, { claims, header });

/** A proof whose header and payload are exactly these, with a signature that cannot be right. */
const unsigned = (header: unknown, payload: unknown = {}) =>
  `${encodeSegment(header)}.${encodeSegment(payload)}.c2lnbmF0dXJl`;

/** A proof whose payload is this very JSON text, signed by the client's key. */
const signedText = (json: string) =>
  new CompactSign(new TextEncoder().encode(json))
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: client.publicJwk })
    .sign(client.privateKey);

async function refused(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidDpopProofError);
  const { code, status, description, reason } = error as InvalidDpopProofError;
  expect({ code, status }).toEqual({ code: "invalid_dpop_proof", status: 401 });
  return { description, reason };
}

describe("createDpopVerifier settings", () => {
  it("defaults to mode allowed and the five usual algorithms", () => {
    const dpop = verifier();
    expect(dpop.mode).toBe("allowed");
    expect(dpop.algorithms).toEqual(["ES256", "EdDSA", "Ed25519", "PS256", "RS256"]);
    expect(dpop.requestUrl(new Request("https://app.example/api/me?q=1"))).toBe("https://app.example/api/me?q=1");
  });

  it("names what is wrong in a setting", () => {
    expect(() => createDpopVerifier({ mode: "sometimes" as never })).toThrow(
      new TypeError("mode must be one of required, allowed, off"),
    );
    const algorithmsMessage =
      "algorithms must be a non-empty subset of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519";
    expect(() => verifier({ algorithms: [] })).toThrow(new TypeError(algorithmsMessage));
    expect(() => verifier({ algorithms: ["HS256" as never] })).toThrow(new TypeError(algorithmsMessage));
    expect(() => verifier({ algorithms: ["ES256", "HS256" as never] })).toThrow(new TypeError(algorithmsMessage));
    expect(() => createDpopVerifier({ mode: "required" })).toThrow(
      new TypeError("replayStore is required unless mode is off"),
    );
    expect(() => createDpopVerifier({})).toThrow(new TypeError("replayStore is required unless mode is off"));
  });

  it("without a replay store (mode off) refuses every proof", async () => {
    const dpop = createDpopVerifier({ mode: "off" });
    expect(await refused(dpop.verifyProof(input(await proofFor())))).toEqual({
      description: "This API does not accept DPoP proofs",
      reason: "dpop_off",
    });
  });

  it("accepts proofs of each default algorithm", async () => {
    const dpop = verifier();
    const cases: [string, CryptoKey, JWK][] = [];
    for (const [alg, generate] of [
      ["ES256", "ES256"],
      ["EdDSA", "Ed25519"],
      ["Ed25519", "Ed25519"],
      ["PS256", "PS256"],
      ["RS256", "RS256"],
    ] as const) {
      const { privateKey, publicKey } = await generateKeyPair(generate, { extractable: true });
      cases.push([alg, privateKey, await exportJWK(publicKey)]);
    }
    for (const [alg, privateKey, publicJwk] of cases) {
      const key = await import("jose").then(({ calculateJwkThumbprint }) => calculateJwkThumbprint(publicJwk));
      const proof = await signProof(
        { privateKey, publicJwk, thumbprint: key },
        { htm: "GET", htu: URL_ME, token: TOKEN },
        { signWith: { alg, key: privateKey } },
      );
      await expect(dpop.verifyProof(input(proof, { jkt: key })), alg).resolves.toHaveProperty("jti");
    }
  });
});

describe("verifyProof refuses", () => {
  it("no proof, and more than one", async () => {
    const dpop = verifier();
    expect(await refused(dpop.verifyProof(input([])))).toEqual({
      description: "A DPoP proof is required with a DPoP-bound token",
      reason: "missing_proof",
    });
    const many = { description: "Send exactly one DPoP proof", reason: "multiple_proofs" };
    expect(await refused(dpop.verifyProof(input([await proofFor(), await proofFor()])))).toEqual(many);
    expect(await refused(dpop.verifyProof(input(`${await proofFor()}, ${await proofFor()}`)))).toEqual(many);
  });

  it("a proof one character over maxProofLength, and takes one of exactly that length", async () => {
    const proof = await proofFor();
    expect(await refused(verifier({ maxProofLength: proof.length - 1 }).verifyProof(input(proof)))).toEqual({
      description: "The DPoP proof is too large",
      reason: "too_large",
    });
    await expect(verifier({ maxProofLength: proof.length }).verifyProof(input(proof))).resolves.toHaveProperty("jti");
  });

  it("anything but a compact JWS, even around a good one", async () => {
    const proof = await proofFor();
    const malformed = { description: "The DPoP proof is malformed", reason: "malformed" };
    for (const text of [`\n${proof}`, `${proof}\n`, `${proof}.`, "a.b", "abc.def.ghi", unsigned(["x"]).slice(1)]) {
      expect(await refused(verifier().verifyProof(input(text))), JSON.stringify(text)).toEqual(malformed);
    }
  });

  it("a proof not typed dpop+jwt, or with an algorithm not allowed", async () => {
    const dpop = verifier({ algorithms: ["ES256"] });
    expect(await refused(dpop.verifyProof(input(await proofFor({}, { typ: "JWT" }))))).toEqual({
      description: "The DPoP proof must be typed dpop+jwt",
      reason: "typ",
    });
    const jwk = client.publicJwk;
    for (const alg of ["PS256", 256, ["ES256"], undefined]) {
      expect(await refused(dpop.verifyProof(input(unsigned({ alg, typ: "dpop+jwt", jwk }))))).toEqual({
        description: "The DPoP proof algorithm is not allowed",
        reason: "alg_not_allowed",
      });
    }
  });

  it("a proof without its public key as an object", async () => {
    for (const jwk of [undefined, null, "key", 1, [client.publicJwk]]) {
      const proof = unsigned({ alg: "ES256", typ: "dpop+jwt", jwk });
      expect(await refused(verifier().verifyProof(input(proof))), JSON.stringify(jwk)).toEqual({
        description: "The DPoP proof must carry its public key",
        reason: "jwk_missing",
      });
    }
  });

  it("a key with any private or symmetric member", async () => {
    for (const member of ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]) {
      const proof = unsigned({ alg: "ES256", typ: "dpop+jwt", jwk: { ...client.publicJwk, [member]: "AQAB" } });
      expect(await refused(verifier().verifyProof(input(proof))), member).toEqual({
        description: "The DPoP proof's key must be a public key",
        reason: "private_key",
      });
    }
  });

  it("a jti that is missing, empty or longer than 256 characters; takes one of exactly 256", async () => {
    for (const jti of [undefined, "", 7, "j".repeat(257)]) {
      expect(await refused(verifier().verifyProof(input(await proofFor({ jti })))), String(jti)).toEqual({
        description: "The DPoP proof must have a jti",
        reason: "jti",
      });
    }
    const jti = "j".repeat(256);
    await expect(verifier().verifyProof(input(await proofFor({ jti })))).resolves.toEqual({ jti });
  });

  it("a proof for another method", async () => {
    expect(await refused(verifier().verifyProof(input(await proofFor(), { method: "POST" })))).toEqual({
      description: "The DPoP proof is for another HTTP method",
      reason: "htm",
    });
  });

  it("an iat that is missing or not finite", async () => {
    const noIat = await proofFor({ iat: undefined });
    const huge = await signedText(`{"htm":"GET","htu":"${URL_ME}","jti":"j1","ath":"${ath(TOKEN)}","iat":1e400}`);
    for (const proof of [noIat, huge]) {
      expect(await refused(verifier().verifyProof(input(proof)))).toEqual({
        description: "The DPoP proof must have an iat",
        reason: "iat",
      });
    }
  });

  it("a missing ath, and one of another token", async () => {
    for (const claims of [{ ath: undefined }, { ath: ath("another.access.token") }, { ath: 42 }]) {
      expect(await refused(verifier().verifyProof(input(await proofFor(claims))))).toEqual({
        description: "The DPoP proof is for another access token",
        reason: "ath",
      });
    }
  });

  it("a key other than the token's, whatever the length of the jkt", async () => {
    const proof = await proofFor();
    for (const jkt of ["short", `${client.thumbprint}x`, (await createDpopKey()).thumbprint]) {
      expect(await refused(verifier().verifyProof(input(proof, { jkt })))).toEqual({
        description: "The DPoP proof is signed by another key than the token is bound to",
        reason: "jkt",
      });
    }
  });

  it("a replay, and records the jti until the proof could no longer be accepted", async () => {
    const added: [string, Date][] = [];
    const inner = createMemoryReplayStore();
    const replayStore: ReplayStore = {
      add: (id, expiresAt) => {
        added.push([id, expiresAt]);
        return inner.add(id, expiresAt);
      },
    };
    const dpop = createDpopVerifier({ replayStore, maxAge: 30, clockTolerance: 2 });
    const iat = Math.floor(Date.now() / 1000);
    const proof = await proofFor({ iat, jti: "once" });
    await expect(dpop.verifyProof(input(proof))).resolves.toEqual({ jti: "once" });
    expect(added).toEqual([[expect.stringMatching(/^[0-9a-f]{64}$/), new Date((iat + 32) * 1000)]]);
    expect(await refused(dpop.verifyProof(input(proof)))).toEqual({
      description: "The DPoP proof was used before",
      reason: "replayed",
    });
  });
});

describe("verifyProof's time window", () => {
  it("takes an iat up to clockTolerance ahead and maxAge + clockTolerance behind, not a second more", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW * 1000);
    const dpop = verifier({ maxAge: 60, clockTolerance: 5 });
    await expect(dpop.verifyProof(input(await proofFor({ iat: NOW + 5 })))).resolves.toHaveProperty("jti");
    await expect(dpop.verifyProof(input(await proofFor({ iat: NOW - 65 })))).resolves.toHaveProperty("jti");
    await expect(dpop.verifyProof(input(await proofFor({ iat: NOW - 56 })))).resolves.toHaveProperty("jti");
    expect(await refused(dpop.verifyProof(input(await proofFor({ iat: NOW + 6 }))))).toEqual({
      description: "The DPoP proof is issued in the future",
      reason: "iat_future",
    });
    expect(await refused(dpop.verifyProof(input(await proofFor({ iat: NOW - 66 }))))).toEqual({
      description: "The DPoP proof is too old",
      reason: "iat_too_old",
    });
  });
});

describe("verifyProof's htu", () => {
  const htuRefusal = { description: "The DPoP proof is for another URL", reason: "htu" };

  it("takes one of 2048 characters, not 2049", async () => {
    const base = "https://app.example/api/";
    const at = `${base}${"a".repeat(2048 - base.length)}`;
    const over = `${at}a`;
    await expect(verifier().verifyProof(input(await proofFor({}, {}, at), { url: at }))).resolves.toHaveProperty("jti");
    expect(await refused(verifier().verifyProof(input(await proofFor({}, {}, over), { url: over })))).toEqual(
      htuRefusal,
    );
  });

  it("refuses an htu that is not a string, even one that reads as the URL", async () => {
    for (const htu of [[URL_ME], 3, undefined]) {
      expect(await refused(verifier().verifyProof(input(await proofFor({ htu })))), String(htu)).toEqual(htuRefusal);
    }
  });

  it("refuses an htu with a query or fragment, even the request's own", async () => {
    for (const url of [`${URL_ME}?a=1`, `${URL_ME}#top`]) {
      expect(await refused(verifier().verifyProof(input(await proofFor({}, {}, url), { url })))).toEqual(htuRefusal);
    }
  });

  it("refuses schemes other than http and https, and an unreadable URL on either side", async () => {
    for (const url of ["ftp://app.example/api/me", "xhttps://app.example/api/me", "not a url"]) {
      expect(await refused(verifier().verifyProof(input(await proofFor({}, {}, url), { url }))), url).toEqual(
        htuRefusal,
      );
    }
    expect(await refused(verifier().verifyProof(input(await proofFor(), { url: "not a url" })))).toEqual(htuRefusal);
  });

  it("takes http as well as https, ignores the request's query, and the case of percent-escapes", async () => {
    const http = "http://app.example/api/me";
    await expect(verifier().verifyProof(input(await proofFor({}, {}, http), { url: http }))).resolves.toHaveProperty(
      "jti",
    );
    await expect(verifier().verifyProof(input(await proofFor(), { url: `${URL_ME}?x=1#y` }))).resolves.toHaveProperty(
      "jti",
    );
    const lower = "https://app.example/api/%7eme%2f";
    const upper = "https://app.example/api/%7Eme%2F";
    await expect(verifier().verifyProof(input(await proofFor({}, {}, lower), { url: upper }))).resolves.toHaveProperty(
      "jti",
    );
    const other = "https://app.example/api/%7Fme%2F";
    expect(await refused(verifier().verifyProof(input(await proofFor({}, {}, lower), { url: other })))).toEqual(
      htuRefusal,
    );
  });
});

describe("the challenge for a refused proof", () => {
  it("is RFC 9449's invalid_dpop_proof with the fixed description", async () => {
    const error = (await verifier()
      .verifyProof(input([]))
      .catch((caught: unknown) => caught)) as InvalidDpopProofError;
    const response = toResponse(error, { schemes: ["DPoP"], dpopAlgs: ["ES256"] });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      'DPoP error="invalid_dpop_proof", error_description="A DPoP proof is required with a DPoP-bound token", algs="ES256"',
    );
  });
});

describe("boundThumbprint", () => {
  it("reads cnf.jkt, and calls every other cnf unreadable", () => {
    expect(boundThumbprint({})).toBeUndefined();
    expect(boundThumbprint({ cnf: { jkt: "abc" } })).toBe("abc");
    for (const cnf of [null, "abc", {}, { jkt: "" }, { jkt: 5 }, { jkt: null }]) {
      expect(boundThumbprint({ cnf }), JSON.stringify(cnf)).toBe("unreadable");
    }
  });
});

describe("createMemoryReplayStore", () => {
  it("refuses an id until the moment it expires, and keeps live ids through a sweep", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW * 1000);
    const store = createMemoryReplayStore();
    expect(await store.add("a", new Date(NOW * 1000 + 60_000))).toBe(true);
    expect(await store.add("b", new Date(NOW * 1000 + 1_000))).toBe(true);
    expect(await store.add("a", new Date(NOW * 1000 + 60_000))).toBe(false);
    vi.setSystemTime(NOW * 1000 + 1_000);
    expect(await store.add("b", new Date(NOW * 1000 + 2_000))).toBe(true);
    vi.setSystemTime(NOW * 1000 + 20_000);
    expect(await store.add("c", new Date(NOW * 1000 + 80_000))).toBe(true);
    expect(await store.add("a", new Date(NOW * 1000 + 60_000))).toBe(false);
    expect(await store.add("c", new Date(NOW * 1000 + 80_000))).toBe(false);
  });
});
