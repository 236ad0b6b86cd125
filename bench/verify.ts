/**
 * Token verification per call, side by side in one process on the same RS256 access tokens,
 * each verifier fetching its keys from the same local issuer (discovery + JWKS on 127.0.0.1):
 *
 * - this project's verifier (lib/resource-server), cold (a new verifier: discovery, JWKS fetch,
 *   key import, then the check) and warm; and as the app's API runs it, behind the
 *   verified-token cache (the same token again is a map lookup, not a signature check);
 * - express-oauth2-jwt-bearer (Auth0's middleware, called with a minimal request object);
 * - fast-jwt + get-jwks, and jsonwebtoken + jwks-rsa;
 * - plain jose.jwtVerify with a local key (no JWKS cache in the way);
 * - raw node:crypto: split, RSA-SHA256 verify, JSON.parse. The floor: no claim checks at all;
 * - the whole API check, `protect()` on a Fetch Request as lib/api/guard.ts runs it (verified-token
 *   cache included), side by side: a bearer token, and a DPoP-bound token with a fresh ES256
 *   proof per call (proof signature, claims, thumbprint, and the in-memory jti store). The
 *   proofs are signed before the clock starts: what is timed is the server's work.
 *
 * Warm numbers come from interleaved rounds (every verifier runs once per round, in a rotating
 * order), so a noisy neighbour slows all of them alike rather than one. Also checks that every
 * verifier refuses a forged signature, so none is fast by accident.
 *
 *   npm run bench -- verify [calls per round] [rounds]     (default 2000 x 10)
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { auth } from "express-oauth2-jwt-bearer";
import { createVerifier } from "fast-jwt";
import buildGetJwks from "get-jwks";
import { importJWK, jwtVerify } from "jose";
import jsonwebtoken from "jsonwebtoken";
import { JwksClient } from "jwks-rsa";
import { createProof } from "../lib/dpop/proof";
import { createDpopVerifier, createMemoryReplayStore, protect } from "../lib/resource-server/index.ts";
import { withVerifiedTokenCache } from "../lib/resource-server/verified-cache";
import { createAccessTokenVerifier } from "../lib/resource-server/verify";
import { createDpopKey } from "../test/dpop";
import { startFakeOp } from "../test/fake-op";
import { AUDIENCE, createTestKey, mintAccessToken } from "../test/tokens";
import { isMain, printTable, round, summarize, writeResult } from "./support/report";

type Verify = (token: string) => Promise<unknown>;

interface Contender {
  name: string;
  /** A fresh instance (its own key cache), ready to verify. */
  create: () => Verify;
}

const API_URL = "http://localhost:3000/api/me";

/** The other libraries' verifiers: what "ahead of every peer" compares with (not our own rows, not the floor). */
export const PEERS = ["express-oauth2-jwt-bearer", "fast-jwt + get-jwks", "jsonwebtoken + jwks-rsa"];

async function contenders(
  proofCount: number,
): Promise<{ list: Contender[]; token: string; forged: string; close: () => Promise<void> }> {
  const key = await createTestKey("RS256");
  const issuer = await startFakeOp({ keys: [key] });
  const iss = issuer.issuer;
  const token = await mintAccessToken(key, { issuer: iss, claims: { "https://claimtrip.example/roles": ["admin"] } });
  const [header, payload] = token.split(".");
  const forged = `${header}.${payload}.${"A".repeat(342)}`;
  const publicKey: KeyObject = createPublicKey({ key: key.jwk as never, format: "jwk" });
  const josePublicKey = await importJWK(key.jwk, "RS256");
  const dpopKey = await createDpopKey();
  const claims = { "https://claimtrip.example/roles": ["admin"], cnf: { jkt: dpopKey.thumbprint } };
  const bound = await mintAccessToken(key, { issuer: iss, claims });
  const boundForged = `${bound.split(".").slice(0, 2).join(".")}.${"A".repeat(342)}`;
  // One proof per call (each jti is accepted once), signed before any clock starts.
  const proofs: string[] = [];
  for (let i = 0; i < proofCount; i++) {
    proofs.push(await createProof(dpopKey, { htm: "GET", htu: API_URL, accessToken: bound }));
  }
  const viaProtect =
    (dpop: boolean): Contender["create"] =>
    () => {
      const verifier = withVerifiedTokenCache(createAccessTokenVerifier({ issuer: iss, audience: AUDIENCE }));
      const options = { dpop: createDpopVerifier({ replayStore: createMemoryReplayStore() }) };
      return async (t) => {
        const headers: Record<string, string> = dpop
          ? { authorization: `DPoP ${t === token ? bound : boundForged}`, dpop: proofs.pop() ?? "" }
          : { authorization: `Bearer ${t}` };
        const result = await protect(verifier, new Request(API_URL, { headers }), undefined, options);
        if (!result.ok) throw result.error;
        return result.token;
      };
    };

  const list: Contender[] = [
    {
      name: "claimtrip verifier",
      create: () => {
        const verifier = createAccessTokenVerifier({ issuer: iss, audience: AUDIENCE });
        return (t) => verifier.verify(t);
      },
    },
    {
      // What the app's API runs (lib/api/guard.ts): the same token again is a cache hit.
      name: "claimtrip verifier + cache",
      create: () => {
        const verifier = withVerifiedTokenCache(createAccessTokenVerifier({ issuer: iss, audience: AUDIENCE }));
        return (t) => verifier.verify(t);
      },
    },
    {
      name: "express-oauth2-jwt-bearer",
      create: () => {
        const middleware = auth({ issuerBaseURL: iss, audience: AUDIENCE, tokenSigningAlg: "RS256" });
        return (t) =>
          new Promise((resolve, reject) => {
            const req = {
              headers: { authorization: `Bearer ${t}`, host: "localhost" },
              protocol: "http",
              url: "/api/me",
              originalUrl: "/api/me",
              method: "GET",
              query: {},
              is: () => false,
              get: (name: string) => (name.toLowerCase() === "host" ? "localhost" : undefined),
            } as Record<string, unknown>;
            void middleware(req as never, {} as never, (error?: unknown) =>
              error ? reject(error) : resolve(req.auth),
            );
          });
      },
    },
    {
      name: "fast-jwt + get-jwks",
      create: () => {
        const jwks = buildGetJwks({ providerDiscovery: true, issuersWhitelist: [iss] });
        const verifier = createVerifier({
          key: async ({ header }: { header: Record<string, unknown> }) =>
            jwks.getPublicKey({ kid: String(header.kid), alg: String(header.alg), domain: iss }),
          algorithms: ["RS256"],
          allowedIss: iss,
          allowedAud: AUDIENCE,
        });
        return (t) => verifier(t);
      },
    },
    {
      name: "jsonwebtoken + jwks-rsa",
      create: () => {
        const client = new JwksClient({ jwksUri: issuer.jwksUri, cache: true, rateLimit: true });
        const getKey: jsonwebtoken.GetPublicKeyOrSecret = (header, callback) => {
          client.getSigningKey(header.kid).then((signingKey) => callback(null, signingKey.getPublicKey()), callback);
        };
        return (t) =>
          new Promise((resolve, reject) =>
            jsonwebtoken.verify(
              t,
              getKey,
              { algorithms: ["RS256"], issuer: iss, audience: AUDIENCE },
              (error, decoded) => (error ? reject(error) : resolve(decoded)),
            ),
          );
      },
    },
    {
      name: "jose.jwtVerify (local key)",
      create: () => (t) =>
        jwtVerify(t, josePublicKey, { issuer: iss, audience: AUDIENCE, algorithms: ["RS256"], typ: "at+jwt" }),
    },
    {
      name: "raw node:crypto (floor)",
      create: () => async (t) => {
        const [h, p, s] = t.split(".");
        if (p === undefined || s === undefined) throw new Error("not a compact JWS");
        const ok = cryptoVerify("RSA-SHA256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, "base64url"));
        if (!ok) throw new Error("bad signature");
        return JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
      },
    },
    { name: "protect(): Bearer token", create: viaProtect(false) },
    { name: "protect(): DPoP token + proof", create: viaProtect(true) },
  ];
  return { list, token, forged, close: () => issuer.close() };
}

export async function benchVerify(callsPerRound = 2_000, rounds = 10, coldRuns = 30) {
  const WARM_UP = 500;
  const { list, token, forged, close } = await contenders(2 + coldRuns + WARM_UP + callsPerRound * rounds);
  try {
    // Every contender must accept the token and refuse the forgery, or its number means nothing.
    for (const contender of list) {
      const verify = contender.create();
      await verify(token);
      const refused = await verify(forged).then(
        () => false,
        () => true,
      );
      if (!refused) throw new Error(`${contender.name} accepted a forged signature`);
    }

    const cold = new Map<string, number[]>();
    for (let i = 0; i < coldRuns; i++) {
      for (const contender of list) {
        const t0 = performance.now();
        await contender.create()(token);
        cold.set(contender.name, [...(cold.get(contender.name) ?? []), (performance.now() - t0) * 1000]);
      }
    }

    const instances = list.map((contender) => ({ contender, verify: contender.create() }));
    for (const { verify } of instances) for (let i = 0; i < WARM_UP; i++) await verify(token); // warm up: JIT, caches
    const calls = new Map<string, number[]>();
    const perRound = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      const start = round % instances.length;
      const order = [...instances.slice(start), ...instances.slice(0, start)];
      for (const { contender, verify } of order) {
        const times: number[] = calls.get(contender.name) ?? [];
        const started = performance.now();
        for (let i = 0; i < callsPerRound; i++) {
          const t0 = performance.now();
          await verify(token);
          times.push((performance.now() - t0) * 1000);
        }
        calls.set(contender.name, times);
        perRound.set(contender.name, [
          ...(perRound.get(contender.name) ?? []),
          ((performance.now() - started) * 1000) / callsPerRound,
        ]);
      }
    }

    const floor = summarize(calls.get("raw node:crypto (floor)")!).median;
    const rows = list.map(({ name }) => {
      const warm = summarize(calls.get(name)!);
      const mean = summarize(perRound.get(name)!).median;
      return {
        verifier: name,
        cold_first_call_us: round(summarize(cold.get(name)!).median, 0),
        warm_p50_us: round(warm.median),
        warm_p99_us: round(warm.p99),
        calls_per_s: Math.round(1_000_000 / mean),
        vs_floor: round(warm.median / floor, 2),
      };
    });
    printTable(
      `token verification per call, RS256, ${rounds} rounds x ${callsPerRound} calls each, interleaved (node ${process.version})`,
      rows,
    );
    console.log(
      `cold: median of ${coldRuns} fresh instances' first call (discovery/JWKS over loopback where the verifier fetches keys)`,
    );
    return { callsPerRound, rounds, coldRuns, rows };
  } finally {
    await close();
  }
}

if (isMain(import.meta.url)) {
  const [calls, rounds] = process.argv.slice(2).map(Number);
  writeResult("verify", await benchVerify(calls || undefined, rounds || undefined));
}
