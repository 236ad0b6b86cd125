/**
 * The client's side of DPoP (RFC 9449): the app's key pair and the proofs it signs with it, one
 * per request. Pure functions of a key: the settings (./key.ts) and the nonce bookkeeping
 * (./requests.ts) live beside it.
 */
import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { calculateJwkThumbprint, importJWK, SignJWT, type CryptoKey, type JWK } from "jose";

/** The one algorithm the app signs proofs with. */
export const DPOP_ALG = "ES256";

/** Whether an IdP's discovery document says it takes proofs signed the way the app signs them. */
export function supportsDpop(metadata: { dpop_signing_alg_values_supported?: unknown }): boolean {
  const algs = metadata.dpop_signing_alg_values_supported;
  return Array.isArray(algs) && algs.includes(DPOP_ALG);
}

export interface DpopKey {
  privateKey: CryptoKey;
  /** The public half, as every proof's header carries it. */
  publicJwk: JWK;
  /** Its SHA-256 JWK thumbprint (RFC 7638): the `cnf.jkt` of the tokens bound to it. */
  thumbprint: string;
}

/**
 * Reads an ES256 private JWK (JSON text, as `npm run setup` writes it).
 * @throws {Error} whose message says what is wrong with the value (never the value).
 */
export async function importDpopKey(json: string): Promise<DpopKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(json) as JWK;
  } catch {
    throw new Error("expected a JSON Web Key (run `npm run setup`)");
  }
  if (jwk?.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.d !== "string") {
    throw new Error("expected an EC P-256 private JSON Web Key (run `npm run setup`)");
  }
  const { d: _private, ...publicJwk } = jwk;
  const { kty, crv, x, y } = publicJwk;
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK({ kty, crv, x, y, d: jwk.d }, DPOP_ALG)) as CryptoKey;
  } catch {
    throw new Error("expected a valid EC P-256 private JSON Web Key (run `npm run setup`)");
  }
  const minimal = { kty, crv, x, y } as JWK;
  return { privateKey, publicJwk: minimal, thumbprint: await calculateJwkThumbprint(minimal, "sha256") };
}

export interface ProofClaims {
  /** The request's method. */
  htm: string;
  /** The request's URL; its query and fragment are left out, as RFC 9449 §4.2 says. */
  htu: string;
  /** The access token the request carries (its hash becomes `ath`). */
  accessToken?: string;
  /** The server's latest `DPoP-Nonce`. */
  nonce?: string;
}

/** A fresh proof for one request: `htm`, `htu`, `iat`, a unique `jti`, and `ath` with a token. */
export function createProof(key: DpopKey, { htm, htu, accessToken, nonce }: ProofClaims): Promise<string> {
  const url = new URL(htu);
  url.search = "";
  url.hash = "";
  const claims: Record<string, string> = { htm, htu: url.href, jti: randomUUID() };
  if (accessToken !== undefined) claims.ath = createHash("sha256").update(accessToken).digest("base64url");
  if (nonce !== undefined) claims.nonce = nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: DPOP_ALG, typ: "dpop+jwt", jwk: key.publicJwk })
    .setIssuedAt()
    .sign(key.privateKey);
}
