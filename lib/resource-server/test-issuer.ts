/**
 * Test support (not part of the module's API): a local issuer on an ephemeral port serving
 * OpenID discovery and a JWKS, counting every request, plus helpers to mint tokens, honest or
 * hostile. Used by this folder's tests and reusable by the security suite.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export const AUDIENCE = "http://localhost:3000/api";
export const OTHER_AUDIENCE = "urn:claimtrip:reports";
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

export interface LocalIssuer {
  /** The issuer identifier, with a trailing slash when started with `trailingSlash`. */
  issuer: string;
  origin: string;
  jwksUri: string;
  /** Paths requested so far, in order (query strings included). */
  requests: string[];
  count(path: string): number;
  /** Replace the published keys. */
  publish(keys: TestKey[]): void;
  /** Make an endpoint answer with this status (and a non-JSON body); `undefined` restores it. */
  fail(path: "discovery" | "jwks", status: number | undefined): void;
  /** Override fields of the discovery document. */
  discovery: Record<string, unknown>;
  close(): Promise<void>;
}

export const DISCOVERY_PATH = "/.well-known/openid-configuration";
export const JWKS_PATH = "/jwks";

export async function startLocalIssuer(
  options: { keys?: TestKey[]; trailingSlash?: boolean } = {},
): Promise<LocalIssuer> {
  let keys = options.keys ?? [];
  const failing: Partial<Record<"discovery" | "jwks", number>> = {};
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push(path);
    const answer = (kind: "discovery" | "jwks", body: unknown) => {
      const status = failing[kind];
      if (status !== undefined) {
        res.writeHead(status, { "content-type": "text/html" }).end("<h1>down</h1>");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (path === DISCOVERY_PATH) {
      answer("discovery", { issuer: local.issuer, jwks_uri: local.jwksUri, ...local.discovery });
    } else if (path === JWKS_PATH) {
      answer("jwks", { keys: keys.map((key) => key.jwk) });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const local: LocalIssuer = {
    issuer: options.trailingSlash ? `${origin}/` : origin,
    origin,
    jwksUri: `${origin}${JWKS_PATH}`,
    requests,
    count: (path) => requests.filter((requested) => requested === path).length,
    publish: (next) => void (keys = next),
    fail: (kind, status) => void (failing[kind] = status),
    discovery: {},
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return local;
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
export async function mintAccessToken(key: Signer, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = withoutUndefined({
    iss: options.issuer,
    sub: "user-alice",
    aud: AUDIENCE,
    client_id: CLIENT_ID,
    scope: "openid profile email",
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...options.claims,
  });
  const header = withoutUndefined({ alg: key.alg, kid: key.kid, typ: "at+jwt", ...options.header });
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
