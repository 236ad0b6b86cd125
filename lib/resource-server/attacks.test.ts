/**
 * The token attacks an API meets, each answered over HTTP: every hostile request gets an RFC 6750
 * error (status, `WWW-Authenticate: Bearer error=…`, a JSON `{ error, error_description }`), no
 * stack trace and nothing of what it sent, and the check that refused it is the one meant to.
 * verify.test.ts and bearer.test.ts test the same defences one function at a time; this file
 * drives them through `protect()` the way app/api/* does, and adds what they do not cover
 * (retired keys, cold-start kid floods, hostile key URLs, prototype tricks).
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { base64url, exportSPKI } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { ADMIN_ROLE, ROLES_CLAIM } from "../shared/claims";
import { requireClaimIncludes } from "./claims";
import type { BearerError } from "./errors";
import { protect, type TokenCheck } from "./index";
import { DISCOVERY_PATH, JWKS_PATH, startFakeOp, type FakeOp } from "../../test/fake-op";
import {
  AUDIENCE,
  CLIENT_ID,
  OTHER_AUDIENCE,
  createTestKey,
  decodeSegment,
  encodeSegment,
  mintAccessToken,
  type MintOptions,
  type Signer,
  type TestKey,
} from "../../test/tokens";
import { createAccessTokenVerifier, type AccessTokenVerifier, type AccessTokenVerifierOptions } from "./verify";

let idp: FakeOp;
let rsa: TestKey;
let ec: TestKey;
let attacker: TestKey;
let attackerEc: TestKey;
let verifier: AccessTokenVerifier;
/** An attacker's web server: `jku`/`x5u` point here, and nothing may ever fetch from it. */
let lure: { server: Server; origin: string; hits: string[] };

beforeAll(async () => {
  [rsa, ec, attacker, attackerEc] = await Promise.all([
    createTestKey("RS256"),
    createTestKey("ES256"),
    createTestKey("RS256"),
    createTestKey("ES256"),
  ]);
  idp = await startFakeOp({ keys: [rsa, ec] });
  verifier = createAccessTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE });
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "/");
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: [attacker.jwk, attackerEc.jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  lure = { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
});
afterAll(async () => {
  lure.server.closeAllConnections();
  await new Promise((resolve) => lure.server.close(resolve));
  await idp.close();
});
afterEach(() => {
  vi.useRealTimers();
  idp.publish([rsa, ec]);
});

const API = "http://localhost:3000/api/me";
const now = () => Math.floor(Date.now() / 1000);
const mint = (key: Signer, options: Omit<MintOptions, "issuer"> = {}) =>
  mintAccessToken(key, { issuer: idp.issuer, ...options });
/** Move the (Date-only) clock: jose's JWKS cache and cooldown read Date.now(). */
const advanceClock = (ms: number) => vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + ms });

/** Swaps one segment of a real token, keeping the rest (and so the original signature). */
function replaceSegment(token: string, index: 0 | 1 | 2, value: string): string {
  const parts = token.split(".");
  parts[index] = value;
  return parts.join(".");
}
const withPayload = (token: string, change: (claims: Record<string, unknown>) => void) => {
  const claims = decodeSegment(token.split(".")[1]!);
  change(claims);
  return replaceSegment(token, 1, encodeSegment(claims));
};
const withHeader = (token: string, header: Record<string, unknown>) => replaceSegment(token, 0, encodeSegment(header));

const P256_ORDER = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/**
 * Signs a hand-built header and payload segment with the IdP's real RS256 key, bypassing jose's
 * own checks at signing time, so that only the check under test can refuse the result.
 */
async function signManually(header: Record<string, unknown>, payloadSegment: string): Promise<string> {
  const input = `${encodeSegment(header)}.${payloadSegment}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", rsa.privateKey, new TextEncoder().encode(input));
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}
/** A payload of arbitrary text, signed with the IdP's real key and the usual header. */
const signRaw = (payload: string) =>
  signManually({ alg: "RS256", kid: rsa.kid, typ: "at+jwt" }, base64url.encode(payload));

/** What app/api/me and app/api/admin do with this module, keeping the refusal for the test to inspect. */
async function route(
  request: Request,
  check?: TokenCheck,
  using = verifier,
): Promise<{ response: Response; refusal?: BearerError }> {
  const result = await protect(using, request, check);
  if (!result.ok) return { response: result.response, refusal: result.error };
  return { response: Response.json({ sub: result.token.payload.sub }) };
}

const get = (authorization?: string | string[], url = API) => {
  const headers = new Headers();
  for (const value of [authorization ?? []].flat()) headers.append("authorization", value);
  return new Request(url, { headers });
};
const bearer = (token: string) => get(`Bearer ${token}`);

/** Pieces of what the caller sent that must never come back: the credential, its segments, its claims. */
function sentPieces(request: Request, extra: string[] = []): string[] {
  const header = request.headers.get("authorization") ?? "";
  const credential = header.replace(/^\S+\s*/, "");
  return [header, credential, ...credential.split(/[.,\s]+/), ...extra].filter((piece) => piece.length >= 8);
}

const STACK_TRACE = /\bat\s+\S+\s+\(|\bat\s+\S+:\d+:\d+|node_modules|\.ts:\d+|\w*Error:\s/;

/** Asserts an RFC 6750 refusal, with no stack trace and no echo of the request. */
/** Reasons that mean "no credentials this API takes": a bare challenge, no error code (RFC 6750 §3.1). */
const NO_CREDENTIALS = ["missing", "unsupported_scheme"];

async function expectRefusal(
  response: Response,
  sent: string[],
  status: number,
  code: string,
  bare = false,
): Promise<void> {
  const text = await response.text();
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(response.headers.get("cache-control")).toBe("no-store");
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
  expect(body.error).toBe(code);
  const challenge = response.headers.get("www-authenticate") ?? "";
  if (bare) expect(challenge).toBe("Bearer");
  else expect(challenge).toMatch(new RegExp(`^Bearer error="${code}", error_description="[^"]+"$`));
  const everything = [text, ...[...response.headers].map(([name, value]) => `${name}: ${value}`)].join("\n");
  expect(everything).not.toMatch(STACK_TRACE);
  for (const piece of sent) expect(everything).not.toContain(piece);
}

interface Attack {
  name: string;
  request: () => Promise<Request>;
  status: 400 | 401;
  /** Which check refused it (BearerError.reason): the defence this row proves. */
  reason: string;
}

const invalidToken = (name: string, reason: string, token: () => Promise<string>): Attack => ({
  name,
  request: async () => bearer(await token()),
  status: 401,
  reason,
});

const ATTACKS: Attack[] = [
  // Signatures
  invalidToken("forged signature: random bytes of the right length", "signature", async () =>
    replaceSegment(await mint(rsa, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } }), 2, base64url.encode(randomBytes(256))),
  ),
  invalidToken("forged signature: a real signature transplanted from another token", "signature", async () => {
    const bob = await mint(rsa, { claims: { sub: "user-bob", [ROLES_CLAIM]: [] } });
    const admin = await mint(rsa, { claims: { sub: "user-bob", [ROLES_CLAIM]: [ADMIN_ROLE] } });
    return replaceSegment(admin, 2, bob.split(".")[2]!);
  }),
  invalidToken("forged signature: truncated", "signature", async () => {
    const token = await mint(rsa);
    return token.slice(0, -20);
  }),
  invalidToken("tampered payload: roles added to a real token", "signature", async () =>
    withPayload(await mint(rsa, { claims: { [ROLES_CLAIM]: [] } }), (claims) => (claims[ROLES_CLAIM] = [ADMIN_ROLE])),
  ),
  invalidToken("tampered payload: sub changed to another user", "signature", async () =>
    withPayload(await mint(rsa), (claims) => (claims.sub = "user-admin")),
  ),
  invalidToken("tampered header: kid pointed at the IdP's other key", "unknown_key", async () => {
    const token = await mint(rsa);
    return withHeader(token, { alg: "RS256", kid: ec.kid, typ: "at+jwt" });
  }),

  // Algorithms
  invalidToken("alg none without a signature", "malformed", async () => {
    const token = await mint(rsa, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } });
    return `${encodeSegment({ alg: "none", typ: "at+jwt" })}.${token.split(".")[1]}.`;
  }),
  ...["none", "None", "NONE", "nOnE"].map((alg) =>
    invalidToken(`alg ${JSON.stringify(alg)} with a signature segment`, "alg_not_allowed", async () =>
      withHeader(await mint(rsa, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } }), { alg, typ: "at+jwt", kid: rsa.kid }),
    ),
  ),
  ...(["HS256", "HS384", "HS512"] as const).map((alg) =>
    invalidToken(`${alg} signed with the IdP's public key (PEM) as the HMAC secret`, "alg_not_allowed", async () => {
      const secret = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
      return mint({ kid: rsa.kid, alg, privateKey: secret }, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } });
    }),
  ),
  invalidToken("HS256 signed with the IdP's public JWK modulus as the HMAC secret", "alg_not_allowed", async () =>
    mint({ kid: rsa.kid, alg: "HS256", privateKey: base64url.decode(String(rsa.jwk.n)) }),
  ),

  // Keys the attacker owns
  invalidToken("attacker's own RSA key under the IdP's real kid", "signature", () =>
    mint({ ...attacker, kid: rsa.kid }, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } }),
  ),
  invalidToken("attacker's own EC key under the IdP's real EC kid", "signature", () =>
    mint({ ...attackerEc, kid: ec.kid }, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } }),
  ),
  invalidToken("attacker's EC key under the IdP's RSA kid (key type confusion)", "unknown_key", () =>
    mint({ ...attackerEc, kid: rsa.kid }),
  ),
  invalidToken("attacker's key with no kid at all", "signature", () => mint({ ...attacker, kid: undefined })),

  // Keys the token brings along
  invalidToken("jwk header: the attacker's public key embedded in the token", "unknown_key", () =>
    mint(attacker, { header: { jwk: attacker.jwk } }),
  ),
  invalidToken("jwk header under the IdP's real kid", "signature", () =>
    mint({ ...attacker, kid: rsa.kid }, { header: { jwk: attacker.jwk } }),
  ),
  invalidToken("jku header: the attacker's JWKS URL", "unknown_key", () =>
    mint(attacker, { header: { jku: `${lure.origin}/jwks.json` } }),
  ),
  invalidToken("x5u header: the attacker's certificate URL", "unknown_key", () =>
    mint(attacker, { header: { x5u: `${lure.origin}/cert.pem` } }),
  ),
  invalidToken("x5c header: a certificate chain in the token, under the real kid", "signature", () =>
    mint({ ...attacker, kid: rsa.kid }, { header: { x5c: [base64url.encode(randomBytes(300)).replace(/-/g, "+")] } }),
  ),

  // crit
  invalidToken("crit naming an extension the API does not understand", "unsupported", () =>
    mint(rsa, {
      header: { crit: ["https://evil.example/skip-checks"], "https://evil.example/skip-checks": true },
      crit: { "https://evil.example/skip-checks": true },
    }),
  ),
  invalidToken("crit as an empty list", "malformed", async () =>
    signManually({ alg: "RS256", kid: rsa.kid, typ: "at+jwt", crit: [] }, (await mint(rsa)).split(".")[1]!),
  ),
  invalidToken("crit naming a registered header (alg)", "unsupported", async () =>
    signManually({ alg: "RS256", kid: rsa.kid, typ: "at+jwt", crit: ["alg"] }, (await mint(rsa)).split(".")[1]!),
  ),
  invalidToken("crit b64=false (an unencoded payload, signed as such)", "malformed", async () =>
    signManually(
      { alg: "RS256", kid: rsa.kid, typ: "at+jwt", b64: false, crit: ["b64"] },
      (await mint(rsa)).split(".")[1]!,
    ),
  ),

  // Claims: for someone else
  invalidToken("wrong iss", "iss", () => mint(rsa, { claims: { iss: "https://evil.example" } })),
  invalidToken("iss spelled with a trailing slash", "iss", () => mint(rsa, { claims: { iss: `${idp.issuer}/` } })),
  invalidToken("iss as a list holding the real issuer", "iss", () => mint(rsa, { claims: { iss: [idp.issuer] } })),
  invalidToken("wrong aud: a real token for urn:claimtrip:reports", "aud", () =>
    mint(rsa, { claims: { aud: OTHER_AUDIENCE, [ROLES_CLAIM]: [ADMIN_ROLE] } }),
  ),
  invalidToken("aud that merely starts with the API", "aud", () => mint(rsa, { claims: { aud: `${AUDIENCE}-evil` } })),
  invalidToken("aud as an empty list", "aud", () => mint(rsa, { claims: { aud: [] } })),
  invalidToken("no aud", "aud", () => mint(rsa, { claims: { aud: undefined } })),
  invalidToken("ID token used as an access token", "typ", () =>
    mint(rsa, {
      header: { typ: "JWT" },
      claims: { aud: CLIENT_ID, azp: CLIENT_ID, nonce: "n-0S6", client_id: undefined, scope: undefined },
    }),
  ),
  invalidToken("ID token without any typ", "typ", () =>
    mint(rsa, { header: { typ: undefined }, claims: { aud: CLIENT_ID, client_id: undefined } }),
  ),
  invalidToken("typ that only looks like at+jwt", "typ", () => mint(rsa, { header: { typ: "at+jwt+evil" } })),

  // Time
  invalidToken("expired", "expired", () => mint(rsa, { claims: { iat: now() - 600, exp: now() - 300 } })),
  invalidToken("not yet valid", "not_yet_valid", () => mint(rsa, { claims: { nbf: now() + 300 } })),
  invalidToken("exp as a string far in the future", "claims", () => mint(rsa, { claims: { exp: "99999999999" } })),

  // Size and encoding
  {
    name: "oversized Authorization header",
    request: async () => bearer(`${(await mint(rsa)).split(".")[0]}.${"A".repeat(9000)}.AAAA`),
    status: 400,
    reason: "header_too_large",
  },
  {
    name: "oversized token, signed by the real key",
    request: async () => bearer(await mint(rsa, { claims: { padding: "x".repeat(7000) } })),
    status: 400,
    reason: "header_too_large",
  },
  invalidToken("header segment that is not valid base64url", "malformed", async () =>
    replaceSegment(await mint(rsa), 0, "eyJhbGciOi"),
  ),
  invalidToken("header that is truncated JSON", "malformed", async () =>
    replaceSegment(await mint(rsa), 0, base64url.encode('{"alg":"RS256","kid":"')),
  ),
  invalidToken("header that is a JSON array", "malformed", async () =>
    replaceSegment(await mint(rsa), 0, base64url.encode('["RS256"]')),
  ),
  invalidToken("payload that is not JSON, signed with the real key", "malformed", () => signRaw("not json")),
  invalidToken("payload that is a JSON array, signed with the real key", "malformed", () => signRaw("[1,2,3]")),
  invalidToken("padded base64 (=)", "malformed", async () => `${await mint(rsa)}==`),
  invalidToken("standard base64 alphabet (+ and /)", "malformed", async () =>
    (await mint(rsa)).replace(/-/g, "+").replace(/_/g, "/").replace(/^(.)/, "+"),
  ),
  invalidToken("five segments (a JWE shape)", "malformed", async () => `${await mint(rsa)}.AAAA.BBBB`),
  invalidToken("two segments", "malformed", async () => (await mint(rsa)).split(".").slice(0, 2).join(".")),

  // Psychic signatures (CVE-2022-21449)
  ...(
    [
      ["r = s = 0 (raw)", new Uint8Array(64)],
      ["r = s = 0 (DER)", Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00)],
      ["r = s = n, the curve order", Uint8Array.from(Buffer.from(`${P256_ORDER}${P256_ORDER}`, "hex"))],
    ] as const
  ).map(([label, signature]) =>
    invalidToken(`psychic ECDSA signature, ${label}`, "signature", async () =>
      replaceSegment(await mint(ec, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } }), 2, base64url.encode(signature)),
    ),
  ),

  // The Authorization header itself
  { name: "no Authorization header", request: async () => get(), status: 401, reason: "missing" },
  {
    name: "Basic scheme",
    request: async () => get("Basic YWxpY2VAZXhhbXBsZS5jb206YWxpY2UtcGFzc3dvcmQ="),
    status: 401,
    reason: "unsupported_scheme",
  },
  {
    name: "Token scheme with a real token",
    request: async () => get(`Token ${await mint(rsa)}`),
    status: 401,
    reason: "unsupported_scheme",
  },
  {
    name: "DPoP scheme with a real token",
    request: async () => get(`DPoP ${await mint(rsa)}`),
    status: 401,
    reason: "unsupported_scheme",
  },
  {
    name: "scheme glued to the token",
    request: async () => get(`Bearer${await mint(rsa)}`),
    status: 401,
    reason: "unsupported_scheme",
  },
  { name: "Bearer with no token", request: async () => get("Bearer"), status: 400, reason: "malformed_header" },
  {
    name: "duplicate Authorization headers, both real tokens",
    request: async () =>
      get([`Bearer ${await mint(rsa)}`, `Bearer ${await mint(rsa, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } })}`]),
    status: 400,
    reason: "multiple_credentials",
  },
  {
    name: "two credentials in one header",
    request: async () => get(`Bearer ${await mint(rsa)}, Basic YTpi`),
    status: 400,
    reason: "multiple_credentials",
  },
  {
    name: "two spaces after Bearer",
    request: async () => get(`Bearer  ${await mint(rsa)}`),
    status: 400,
    reason: "malformed_header",
  },
  {
    name: "a tab after Bearer",
    request: async () => get(`Bearer\t${await mint(rsa)}`),
    status: 400,
    reason: "malformed_header",
  },
  {
    name: "a space inside the token",
    request: async () => get(`Bearer ${(await mint(rsa)).replace(".", ". ")}`),
    status: 400,
    reason: "malformed_header",
  },
  {
    name: "a quoted token",
    request: async () => get(`Bearer "${await mint(rsa)}"`),
    status: 400,
    reason: "malformed_header",
  },
  {
    name: "a semicolon after the token",
    request: async () => get(`Bearer ${await mint(rsa)};admin=true`),
    status: 400,
    reason: "malformed_header",
  },
  {
    name: "a Latin-1 character in the token",
    request: async () => get(`Bearer ${await mint(rsa)}\u00e9`),
    status: 400,
    reason: "malformed_header",
  },

  // Where the token travels
  {
    name: "token in the query string",
    request: async () => get(undefined, `${API}?access_token=${await mint(rsa)}`),
    status: 400,
    reason: "token_in_url",
  },
  {
    name: "token in the header and in the query string",
    request: async () => {
      const token = await mint(rsa);
      return get(`Bearer ${token}`, `${API}?access_token=${token}`);
    },
    status: 400,
    reason: "token_in_url",
  },
  {
    name: "token in the header and in a form body",
    request: async () => {
      const token = await mint(rsa);
      return new Request(API, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
        body: `access_token=${token}`,
      });
    },
    status: 400,
    reason: "token_in_body",
  },
];

describe("token attacks at the API: RFC 6750 refusal, no stack trace, no echo", () => {
  it.each(ATTACKS)("$name → $status ($reason)", async ({ request, status, reason }) => {
    const built = await request();
    const query = new URL(built.url).searchParams.get("access_token");
    const { response, refusal } = await route(built.clone());
    await expectRefusal(
      response,
      sentPieces(built, query ? [query] : []),
      status,
      status === 400 ? "invalid_request" : "invalid_token",
      NO_CREDENTIALS.includes(reason),
    );
    expect(refusal?.reason).toBe(reason);
  });

  it("never fetched anything from the URLs tokens pointed at (jku, x5u)", () => {
    expect(lure.hits).toEqual([]);
    expect(idp.requests.every((path) => path === DISCOVERY_PATH || path === JWKS_PATH)).toBe(true);
  });

  it("keeps serving: an honest token still passes after every attack", async () => {
    const { response } = await route(bearer(await mint(rsa)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: "user-alice" });
  });
});

describe("what passes", () => {
  it.each(["Bearer", "bearer", "BEARER", "bEaReR"])(
    "accepts the scheme spelled %s (it is case-insensitive)",
    async (scheme) => {
      const { response } = await route(get(`${scheme} ${await mint(ec)}`));
      expect(response.status).toBe(200);
    },
  );

  it("accepts a token signed by the previous key while it is still published (rotation grace)", async () => {
    const next = await createTestKey("RS256");
    idp.publish([next, rsa, ec]);
    const fresh = createAccessTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE, jwksUri: idp.jwksUri });
    expect((await route(bearer(await mint(rsa)), undefined, fresh)).response.status).toBe(200);
    expect((await route(bearer(await mint(next)), undefined, fresh)).response.status).toBe(200);
  });
});

describe("retired signing keys", () => {
  const options: Partial<AccessTokenVerifierOptions> = {
    jwksUri: undefined,
    cacheMaxAge: 60_000,
    cooldownDuration: 30_000,
  };

  it("refuses a token signed by a retired key once the key is unpublished and the JWKS cache has aged out", async () => {
    const retired = await createTestKey("RS256");
    idp.publish([rsa, retired]);
    const verifierWithShortCache = createAccessTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE, ...options });
    const oldToken = await mint(retired, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } });
    expect((await route(bearer(oldToken), undefined, verifierWithShortCache)).response.status).toBe(200);

    // The IdP drops the key after its grace; the API's cached copy is trusted for cacheMaxAge at most.
    idp.publish([rsa]);
    const fetches = idp.count(JWKS_PATH);
    advanceClock(61_000);
    const { response, refusal } = await route(bearer(oldToken), undefined, verifierWithShortCache);
    await expectRefusal(response, sentPieces(bearer(oldToken)), 401, "invalid_token");
    expect(refusal?.reason).toBe("unknown_key");
    expect(idp.count(JWKS_PATH)).toBe(fetches + 1);

    // And it stays refused: asking again costs no fetch (cooldown), and the current key still works.
    expect((await route(bearer(oldToken), undefined, verifierWithShortCache)).refusal?.reason).toBe("unknown_key");
    expect((await route(bearer(await mint(rsa)), undefined, verifierWithShortCache)).response.status).toBe(200);
    expect(idp.count(JWKS_PATH)).toBe(fetches + 1);
  });
});

describe("JWKS fetches stay bounded", () => {
  it("a cold-start flood of unknown kids costs one discovery and one JWKS fetch", async () => {
    const cold = await startFakeOp({ keys: [rsa] });
    try {
      const coldVerifier = createAccessTokenVerifier({ issuer: cold.issuer, audience: AUDIENCE });
      const tokens = await Promise.all(
        Array.from({ length: 100 }, () =>
          mintAccessToken({ ...attacker, kid: crypto.randomUUID() }, { issuer: cold.issuer }),
        ),
      );
      const answers = await Promise.all(tokens.map((token) => route(bearer(token), undefined, coldVerifier)));
      expect(
        answers.every(({ response, refusal }) => response.status === 401 && refusal?.reason === "unknown_key"),
      ).toBe(true);
      expect(cold.count(DISCOVERY_PATH)).toBe(1);
      expect(cold.count(JWKS_PATH)).toBe(1);
      const honest = await route(bearer(await mintAccessToken(rsa, { issuer: cold.issuer })), undefined, coldVerifier);
      expect(honest.response.status).toBe(200);
      expect(cold.requests).toHaveLength(2);
    } finally {
      await cold.close();
    }
  });

  it.each(["../../../etc/passwd", "http://127.0.0.1:1/jwks", "' OR '1'='1", "%00", "a".repeat(2000)])(
    "a kid of %j is just an unknown key: no fetch follows it",
    async (kid) => {
      const before = idp.requests.length;
      const { response, refusal } = await route(bearer(await mint({ ...attacker, kid })));
      expect(response.status).toBe(401);
      expect(refusal?.reason).toBe("unknown_key");
      expect(idp.requests.slice(before).every((path) => path === JWKS_PATH)).toBe(true);
    },
  );
});

describe("claims that try to sneak a role in", () => {
  const admin = (request: Request) => route(request, (token) => requireClaimIncludes(token, ROLES_CLAIM, ADMIN_ROLE));

  it.each([
    ["roles under __proto__", `"__proto__":{"${ROLES_CLAIM}":["admin"]}`],
    ["roles under constructor.prototype", `"constructor":{"prototype":{"${ROLES_CLAIM}":["admin"]}}`],
    ["a non-namespaced roles claim", `"roles":["admin"]`],
    ["the role as a string, not a list", `"${ROLES_CLAIM}":"admin"`],
    ["the role in a nested list", `"${ROLES_CLAIM}":[["admin"]]`],
    ["the role in another case", `"${ROLES_CLAIM}":["Admin"]`],
    ["the role with a trailing space", `"${ROLES_CLAIM}":["admin "]`],
    ["a roles object", `"${ROLES_CLAIM}":{"0":"admin","length":1}`],
  ])("a validly signed token with %s is not an admin: 403", async (_label, json) => {
    const base = `"iss":${JSON.stringify(idp.issuer)},"aud":${JSON.stringify(AUDIENCE)},"sub":"user-bob","exp":${now() + 300}`;
    const token = await signRaw(`{${base},${json}}`);
    const { response, refusal } = await admin(bearer(token));
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope"/);
    expect(refusal?.code).toBe("insufficient_scope");
    expect(({} as Record<string, unknown>)[ROLES_CLAIM]).toBeUndefined();
  });

  it("a validly signed admin token passes the same check", async () => {
    const { response } = await admin(bearer(await mint(rsa, { claims: { [ROLES_CLAIM]: [ADMIN_ROLE] } })));
    expect(response.status).toBe(200);
  });
});
