/**
 * Test support for DPoP: a client key as the app holds it, and proofs signed with it, honest
 * (through the app's own lib/dpop/proof.ts) or hostile (any header, any claims).
 */
import { createHash, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

import { importDpopKey, type DpopKey } from "../lib/dpop/proof";

/** A fresh ES256 private JWK as JSON text, as AUTH_DPOP_PRIVATE_KEY holds it. */
export async function createDpopKeyJson(): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return JSON.stringify(await exportJWK(privateKey));
}

export async function createDpopKey(): Promise<DpopKey> {
  return importDpopKey(await createDpopKeyJson());
}

export const ath = (token: string) => createHash("sha256").update(token).digest("base64url");

export interface HostileProof {
  /** Header members to add or override; `undefined` removes one. */
  header?: Record<string, unknown>;
  /** Claims to add or override; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Sign with this instead of the key's private key (the header still names `key`'s public key). */
  signWith?: { alg: string; key: DpopKey["privateKey"] | Uint8Array };
}

/** A proof for `htm`/`htu`/`token` with `key`, bent as `hostile` says. */
export function signProof(
  key: DpopKey,
  request: { htm: string; htu: string; token?: string },
  hostile: HostileProof = {},
): Promise<string> {
  const claims = clean({
    htm: request.htm,
    htu: request.htu,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    ath: request.token === undefined ? undefined : ath(request.token),
    ...hostile.claims,
  });
  const alg = hostile.signWith?.alg ?? "ES256";
  const header = clean({ alg, typ: "dpop+jwt", jwk: key.publicJwk, ...hostile.header });
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(hostile.signWith?.key ?? key.privateKey);
}

function clean(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
