/**
 * Test support: one fake OpenID Provider for the app's tests, on an ephemeral port. The IdP's
 * own tests use the real one (idp/testing/); tests of the app and of lib/resource-server use
 * this, because they need an IdP that misbehaves on demand:
 *
 * - discovery and a JWKS, with keys that can be swapped, endpoints that can fail, discovery
 *   fields that can lie, and every request counted (the verifier's caching and backoff);
 * - an authorization endpoint that approves alice at once (echoing `state`, remembering `nonce`
 *   and the PKCE challenge) and a token endpoint that checks client, code, redirect URI and PKCE
 *   like a real one, answering with an ID token whose `nonce` a test may change (the Auth.js
 *   callback's checks);
 * - refresh tokens that rotate on every use and are refused when reused, like oidc-provider's,
 *   with a settable latency, odd answers and the local IdP's rollback of undelivered rotations
 *   (the app's refresh-once logic and its failure handling).
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { base64url } from "jose";

import { CLIENT_ID, mintAccessToken, mintIdToken, type TestKey } from "./tokens";

export const DISCOVERY_PATH = "/.well-known/openid-configuration";
export const JWKS_PATH = "/jwks";
const AUTHORIZATION_PATH = "/authorize";
export const TOKEN_PATH = "/token";

/** The endpoints a test can make fail. */
export type Endpoint = "discovery" | "jwks" | "token";

export interface FakeOpClient {
  /** Default: claimtrip-web */
  id?: string;
  /** Checked as HTTP Basic (client_secret_basic) at the token endpoint. */
  secret: string;
  /** The one redirect URI the authorization endpoint accepts. Default: the app's callback on localhost:3000 */
  redirectUri?: string;
}

export interface FakeOpOptions {
  /** Signing keys published at the JWKS; the first signs what the token endpoint issues. Default: none */
  keys?: TestKey[];
  /** Spell the issuer with a trailing slash, as Auth0 does. Default: false */
  trailingSlash?: boolean;
  /** The registered client; without one, the authorization and token endpoints answer 404. */
  client?: FakeOpClient;
  /** Milliseconds the token endpoint takes to answer a refresh, so concurrent callers overlap. Default: 0 */
  refreshDelay?: number;
}

/** An answer the token endpoint gives instead of a token response. */
export interface TokenAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** What the token endpoint was sent, for assertions on the client's side of the exchange. */
export interface TokenRequest {
  grantType: string | null;
  code: string | null;
  codeVerifier: string | null;
  /** The code_challenge (and method) the same sign-in sent to the authorization endpoint. */
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  refreshToken: string | null;
  /** The request's DPoP proof: this fake OP does not do DPoP, so a client should send none. */
  dpop: string | null;
}

interface Grant {
  redirectUri: string;
  nonce?: string;
  codeChallenge: string;
  method: string | null;
}

export interface FakeOp {
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
  fail(endpoint: Endpoint, status: number | undefined): void;
  /** Override fields of the discovery document. */
  discovery: Record<string, unknown>;
  /** Refresh tokens the token endpoint accepts now; each use spends one and issues the next. */
  refreshTokens: Set<string>;
  /** Every request the token endpoint processed (after client authentication). */
  tokenRequests: TokenRequest[];
  /** The `nonce` of the next ID tokens, from the one the sign-in asked for. Default: the same */
  nonceFor: (requested: string | undefined) => string | undefined;
  /** The IdP session id the next ID tokens carry as `sid`. Default: none */
  sid: string | undefined;
  /** Answer every token request with this, rotating nothing. Default: none */
  tokenAnswer: TokenAnswer | undefined;
  /** Milliseconds a refresh takes to answer (the token rotates when the request arrives). Default: the `refreshDelay` option */
  refreshDelay: number;
  /** Milliseconds discovery takes to answer. Default: 0 */
  discoveryDelay: number;
  /**
   * Take back a rotation whose answer could not be delivered (the client gave up first), as the
   * local IdP does (idp/refresh-rollback.ts). Default: false
   */
  rollbackUndelivered: boolean;
  /**
   * Forget what tests did (requests, token requests, refresh tokens, failures, discovery
   * overrides, nonce and sid changes, answers, delays, rollback); refresh tokens and opaque access
   * tokens are numbered from 1 again.
   */
  reset(): void;
  close(): Promise<void>;
}

const sameNonce = (requested: string | undefined) => requested;
const s256 = (verifier: string) => base64url.encode(createHash("sha256").update(verifier).digest());

export async function startFakeOp(options: FakeOpOptions = {}): Promise<FakeOp> {
  let keys = options.keys ?? [];
  const failing: Partial<Record<Endpoint, number>> = {};
  const grants = new Map<string, Grant>();
  let issued = 0;
  const client = options.client && {
    id: options.client.id ?? CLIENT_ID,
    secret: options.client.secret,
    redirectUri: options.client.redirectUri ?? "http://localhost:3000/api/auth/callback/claimtrip",
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const op: FakeOp = {
    issuer: options.trailingSlash ? `${origin}/` : origin,
    origin,
    jwksUri: `${origin}${JWKS_PATH}`,
    requests: [],
    count: (path) => op.requests.filter((requested) => requested === path).length,
    publish: (next) => void (keys = next),
    fail: (endpoint, status) => void (failing[endpoint] = status),
    discovery: {},
    refreshTokens: new Set(),
    tokenRequests: [],
    nonceFor: sameNonce,
    sid: undefined,
    tokenAnswer: undefined,
    refreshDelay: options.refreshDelay ?? 0,
    discoveryDelay: 0,
    rollbackUndelivered: false,
    reset() {
      op.requests.length = 0;
      op.tokenRequests = [];
      op.refreshTokens = new Set();
      op.discovery = {};
      op.nonceFor = sameNonce;
      op.sid = undefined;
      op.tokenAnswer = undefined;
      op.refreshDelay = options.refreshDelay ?? 0;
      op.discoveryDelay = 0;
      op.rollbackUndelivered = false;
      for (const endpoint of Object.keys(failing) as Endpoint[]) delete failing[endpoint];
      grants.clear();
      issued = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "/";
    op.requests.push(path);
    const url = new URL(path, origin);
    const json = (status: number, body: unknown) => {
      res
        .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
        .end(JSON.stringify(body));
    };
    const failure = (endpoint: Endpoint) => {
      const status = failing[endpoint];
      if (status !== undefined) res.writeHead(status, { "content-type": "text/html" }).end("<h1>down</h1>");
      return status !== undefined;
    };

    if (path === DISCOVERY_PATH) {
      if (failure("discovery")) return;
      await new Promise((resolve) => setTimeout(resolve, op.discoveryDelay));
      return json(200, {
        issuer: op.issuer,
        jwks_uri: op.jwksUri,
        ...(client && {
          authorization_endpoint: `${origin}${AUTHORIZATION_PATH}`,
          token_endpoint: `${origin}${TOKEN_PATH}`,
          // Advertised because Auth.js insists on one; the ID token carries the profile, so it is never called.
          userinfo_endpoint: `${origin}/userinfo`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          authorization_response_iss_parameter_supported: true,
        }),
        ...op.discovery,
      });
    }
    if (path === JWKS_PATH) {
      if (failure("jwks")) return;
      return json(200, { keys: keys.map((key) => key.jwk) });
    }
    if (client && url.pathname === AUTHORIZATION_PATH) return authorize(url, res);
    if (client && url.pathname === TOKEN_PATH && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      if (failure("token")) return;
      return token(req, res, new URLSearchParams(body), json);
    }
    res.writeHead(404).end();
  }

  function authorize(url: URL, res: ServerResponse): void {
    const params = url.searchParams;
    const redirectUri = params.get("redirect_uri");
    const codeChallenge = params.get("code_challenge");
    if (
      params.get("client_id") !== client!.id ||
      redirectUri !== client!.redirectUri ||
      params.get("response_type") !== "code" ||
      !codeChallenge
    ) {
      res.writeHead(400).end();
      return;
    }
    const code = base64url.encode(randomBytes(24));
    grants.set(code, {
      redirectUri,
      nonce: params.get("nonce") ?? undefined,
      codeChallenge,
      method: params.get("code_challenge_method"),
    });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    const state = params.get("state");
    if (state !== null) back.searchParams.set("state", state);
    back.searchParams.set("iss", op.issuer);
    res.writeHead(302, { location: back.toString() }).end();
  }

  async function token(
    req: IncomingMessage,
    res: ServerResponse,
    form: URLSearchParams,
    json: (status: number, body: unknown) => void,
  ): Promise<void> {
    const basic = `Basic ${Buffer.from(`${client!.id}:${client!.secret}`).toString("base64")}`;
    if (req.headers.authorization !== basic) return json(401, { error: "invalid_client" });
    const grantType = form.get("grant_type");
    const code = form.get("code");
    const grant = code === null ? undefined : grants.get(code);
    if (code !== null) grants.delete(code);
    op.tokenRequests.push({
      grantType,
      code,
      codeVerifier: form.get("code_verifier"),
      codeChallenge: grant?.codeChallenge ?? null,
      codeChallengeMethod: grant?.method ?? null,
      refreshToken: form.get("refresh_token"),
      dpop: [req.headers.dpop ?? []].flat().join(", ") || null,
    });

    const { tokenAnswer } = op;
    if (tokenAnswer) {
      res.writeHead(tokenAnswer.status, { "content-type": tokenAnswer.contentType }).end(tokenAnswer.body);
      return;
    }

    if (grantType === "refresh_token") {
      // oidc-provider's rotation: a refresh token works once; a reused one is refused.
      const presented = form.get("refresh_token") ?? "";
      if (!op.refreshTokens.delete(presented)) {
        setTimeout(() => json(400, { error: "invalid_grant" }), op.refreshDelay);
        return;
      }
      const n = ++issued;
      op.refreshTokens.add(`refresh-${n}`);
      // Opaque, numbered tokens: a test can tell which refresh a token came from.
      const answer = {
        access_token: `access-${n}`,
        refresh_token: `refresh-${n}`,
        expires_in: 300,
        token_type: "Bearer",
      };
      setTimeout(() => {
        if (res.destroyed && op.rollbackUndelivered) {
          op.refreshTokens.delete(`refresh-${n}`);
          op.refreshTokens.add(presented);
          return;
        }
        json(200, answer);
      }, op.refreshDelay);
      return;
    }

    const verifier = form.get("code_verifier");
    if (grantType !== "authorization_code" || !grant || form.get("redirect_uri") !== grant.redirectUri) {
      return json(400, { error: "invalid_grant" });
    }
    if (grant.method !== "S256" || !verifier || s256(verifier) !== grant.codeChallenge)
      return json(400, { error: "invalid_grant" });
    const [key] = keys;
    if (!key) throw new Error("the fake OP has no key to sign with");
    const nonce = op.nonceFor(grant.nonce);
    json(200, {
      access_token: await mintAccessToken(key, { issuer: op.issuer }),
      id_token: await mintIdToken(key, { issuer: op.issuer, claims: { aud: client!.id, nonce, sid: op.sid } }),
      token_type: "Bearer",
      expires_in: 300,
      scope: "openid profile email",
    });
  }

  return op;
}
