/**
 * The IdP's signing keys: RS256 (what Auth0 signs with), private JWKs kept in
 * `${IDP_DATA_DIR}/jwks.json` (git-ignored, mode 0600). Made on first start, reused after.
 *
 *   npm run idp:rotate-keys
 *
 * puts a new key first, which oidc-provider signs with after the next restart; the previous
 * key stays published so tokens it signed still verify, and keys retired longer ago than the
 * longest token lifetime (plus margin) are dropped.
 */
import { generateKeyPair } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { calculateJwkThumbprint, exportJWK, type JWK } from "jose";
import { keyRetentionSeconds } from "./ttl.ts";

/** The algorithm every key signs with (ID tokens and JWT access tokens). */
export const SIGNING_ALG = "RS256";

/** A key as stored: the private JWK and when it started and stopped signing. */
export interface StoredKey {
  jwk: JWK;
  /** ISO time the key was made. */
  createdAt: string;
  /** ISO time a newer key replaced it; absent for the key that signs. */
  retiredAt?: string;
}

interface KeyFile {
  keys: StoredKey[];
}

export function keyFilePath(dataDir: string): string {
  return join(dataDir, "jwks.json");
}

async function generateSigningKey(now: Date = new Date()): Promise<StoredKey> {
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { jwk: { ...jwk, kid, alg: SIGNING_ALG, use: "sig" }, createdAt: now.toISOString() };
}

function readKeyFile(path: string): KeyFile {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<KeyFile>;
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0 || !parsed.keys.every((k) => k?.jwk?.d)) {
    throw new Error(`${path} holds no private signing keys; move it away to have a new one made`);
  }
  return { keys: parsed.keys };
}

function writeKeyFile(dataDir: string, file: KeyFile): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = keyFilePath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  // Written aside and renamed, so a crash never leaves a half-written key file behind.
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** The stored keys, newest (the signing one) first; makes the first key when there is none. */
export async function loadOrCreateKeys(dataDir: string): Promise<StoredKey[]> {
  const path = keyFilePath(dataDir);
  if (existsSync(path)) return readKeyFile(path).keys;
  const file = { keys: [await generateSigningKey()] };
  writeKeyFile(dataDir, file);
  return file.keys;
}

/** The public part of a signing key, as the JWKS endpoint publishes it: what the IdP's own verifiers check against. */
export function publicJwk({ jwk }: StoredKey): JWK {
  const { kty, n, e, kid } = jwk;
  return { kty, n, e, kid, alg: SIGNING_ALG, use: "sig" };
}

/** The `jwks` option for oidc-provider: private keys, the signing one first. */
export function toProviderJwks(keys: StoredKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => k.jwk) };
}

export interface RotationResult {
  added: string;
  retired: string | undefined;
  pruned: string[];
}

/**
 * Adds a new signing key in front, retires the current one and drops keys retired more than
 * `retainSeconds` ago. The running IdP keeps signing with the old key until it restarts.
 */
export async function rotateKeys(
  dataDir: string,
  retainSeconds: number,
  now: Date = new Date(),
): Promise<RotationResult> {
  const current = await loadOrCreateKeys(dataDir);
  const fresh = await generateSigningKey(now);
  const cutoff = now.getTime() - retainSeconds * 1000;
  const pruned: string[] = [];
  const kept = current.filter((key) => {
    const gone = key.retiredAt !== undefined && Date.parse(key.retiredAt) < cutoff;
    if (gone) pruned.push(String(key.jwk.kid));
    return !gone;
  });
  const active = kept.find((key) => key.retiredAt === undefined);
  const retired = kept.map((key) => (key.retiredAt === undefined ? { ...key, retiredAt: now.toISOString() } : key));
  writeKeyFile(dataDir, { keys: [fresh, ...retired] });
  return { added: String(fresh.jwk.kid), retired: active ? String(active.jwk.kid) : undefined, pruned };
}

async function main(argv: string[]): Promise<void> {
  const { loadSettings } = await import("./env.ts");
  const settings = loadSettings();
  if (argv[0] !== "rotate") {
    console.error("usage: npm run idp:rotate-keys");
    process.exitCode = 2;
    return;
  }
  const result = await rotateKeys(settings.IDP_DATA_DIR, keyRetentionSeconds(settings.IDP_ACCESS_TOKEN_TTL));
  console.log(`New signing key ${result.added}; restart the IdP to sign with it.`);
  if (result.retired) console.log(`Key ${result.retired} retired; it stays published until its tokens have expired.`);
  for (const kid of result.pruned) console.log(`Key ${kid} removed (retired long enough ago).`);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
