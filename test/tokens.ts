/**
 * Test support: signing keys as an IdP publishes them, and tokens minted with them, honest or
 * hostile: RFC 9068 access tokens for the app's API and OpenID Connect ID tokens. The fake
 * OpenID Provider (./fake-op.ts) signs with these; tests mint their own to attack the verifier.
 */
import { randomUUID } from "node:crypto";

import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

/** The app API's identifier in tests (the default API_AUDIENCE). */
export const AUDIENCE = "http://localhost:3000/api";
/** The IdP's second API, whose tokens must never open the app's API. */
export const OTHER_AUDIENCE = "urn:claimtrip:reports";
/** The web app's client id (the default AUTH_CLIENT_ID). */
export const CLIENT_ID = "claimtrip-web";

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Public JWK with `kid`, `alg` and `use`, as an IdP publishes it. */
  jwk: JWK;
}

export async function createTestKey(alg = "RS256", kid: string = randomUUID()): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicKey, jwk };
}

export interface MintOptions {
  issuer: string;
  /** Claims to add or override; `undefined` removes a default claim. */
  claims?: Record<string, unknown>;
  /** Header parameters to add or override; `undefined` removes a default one. */
  header?: Record<string, unknown>;
  /** Extension parameters to declare in `crit` (so jose agrees to sign them). */
  crit?: Record<string, boolean>;
}

/** Anything that can sign: a test key, or a forged one (e.g. an HMAC secret under a real `kid`). */
export interface Signer {
  kid?: string;
  alg: string;
  privateKey: CryptoKey | Uint8Array;
}

/** A well-formed RFC 9068 access token for the app's API, signed with `key`. */
export function mintAccessToken(key: Signer, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign(key, options, "at+jwt", {
    iss: options.issuer,
    sub: "user-alice",
    aud: AUDIENCE,
    client_id: CLIENT_ID,
    scope: "openid profile email",
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
  });
}

/** An OpenID Connect ID token for the web app (alice's), signed with `key`. */
export function mintIdToken(key: Signer, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign(key, options, "JWT", {
    iss: options.issuer,
    sub: "user-alice",
    aud: CLIENT_ID,
    name: "Alice",
    email: "alice@example.com",
    iat: now,
    exp: now + 300,
  });
}

/**
 * An OpenID Connect Back-Channel Logout token for the web app (`sid` "s1"), signed with `key`. The
 * event URI is written out here, not imported, so a wrong constant in the code under test shows.
 */
export function mintLogoutToken(key: Signer, options: MintOptions): Promise<string> {
  return sign(key, options, "logout+jwt", {
    iss: options.issuer,
    aud: CLIENT_ID,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    events: { "http://schemas.openid.net/event/backchannel-logout": {} },
    sid: "s1",
  });
}

function sign(key: Signer, options: MintOptions, typ: string, defaults: Record<string, unknown>): Promise<string> {
  const payload = withoutUndefined({ ...defaults, ...options.claims });
  const header = withoutUndefined({ alg: key.alg, kid: key.kid, typ, ...options.header });
  return new SignJWT(payload)
    .setProtectedHeader(header as { alg: string })
    .sign(key.privateKey, options.crit ? { crit: options.crit } : undefined);
}

/** base64url(JSON) of a value: for hand-built, hostile tokens. */
export function encodeSegment(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(segment))) as Record<string, unknown>;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
