/**
 * Test support: fast-check arbitraries that turn honest access tokens into hostile ones (bit
 * flips in each segment, swapped and repeated segments, base64 garbage, Unicode, huge strings,
 * edited headers and claims) and build Authorization headers around them, plus the oracle that
 * says which of them may be accepted. Used by lib/resource-server/fuzz.test.ts and by the API
 * routes' tests.
 */
import fc from "fast-check";
import { base64url } from "jose";

import { ROLES_CLAIM } from "../lib/shared/claims";

const B64URL = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"];

const segmentsOf = (token: string) => token.split(".") as [string, string, string];

function decode(segment: string): Uint8Array | undefined {
  try {
    return base64url.decode(segment);
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * The honest token `candidate` stands for, if any. A JWS signs the *encoded* header and payload,
 * so those must be unchanged; the signature segment may differ in the spare low bits of its last
 * base64url character (RFC 4648 §3.5 calls such encodings non-canonical; jose, like most JOSE
 * libraries, decodes them): same bytes, same signature, same claims.
 */
export function honestTokenFor(candidate: string, valid: readonly string[]): string | undefined {
  const parts = candidate.split(".");
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[2] ?? "")) return undefined;
  return valid.find((token) => {
    const [header, payload, signature] = segmentsOf(token);
    if (parts[0] !== header || parts[1] !== payload) return false;
    const mine = decode(parts[2]!);
    return mine !== undefined && sameBytes(mine, base64url.decode(signature));
  });
}

/**
 * The honest token an `Authorization` value (as the server sees it) carries acceptably: exactly
 * `Bearer` in any case, one space, one honest token. Anything else must be refused.
 */
export function acceptedCredential(value: string | null, valid: readonly string[]): string | undefined {
  const match = /^bearer ([^\s,]+)$/i.exec(value ?? "");
  return match ? honestTokenFor(match[1]!, valid) : undefined;
}

/**
 * What a header value becomes on the wire: Node decodes header bytes as Latin-1 and its parser
 * refuses CR, LF and NUL, so a UTF-8 string arrives as its bytes, one character each.
 */
function toWire(value: string): string {
  return Buffer.from(value, "utf8")
    .toString("latin1")
    .replace(/[\0\r\n]/g, "");
}

const HOSTILE_HEADER_VALUES: Record<string, unknown[]> = {
  alg: [
    "none",
    "None",
    "HS256",
    "HS512",
    "RS384",
    "PS256",
    "ES256",
    "ES512",
    "EdDSA",
    "RSA-OAEP",
    "dir",
    "",
    null,
    0,
    ["RS256"],
  ],
  typ: ["JWT", "jwt", "at+JWT", "application/jwt", "at+jwt ", "", null, 1],
  kid: ["", "../../../etc/passwd", "http://127.0.0.1:1/jwks", "' OR '1'='1", null, 0, ["a"], "a".repeat(5000)],
  crit: [[], ["b64"], ["exp"], ["alg"], "b64", null, ["x", "x"]],
  jku: ["http://127.0.0.1:1/jwks", "file:///etc/passwd"],
  x5u: ["http://127.0.0.1:1/cert"],
  jwk: [
    { kty: "oct", k: "AAAA" },
    { kty: "RSA", n: "AQAB", e: "AQAB" },
  ],
  b64: [false, true, "false"],
  zip: ["DEF"],
  enc: ["A256GCM"],
};

const HOSTILE_CLAIM_NAMES = [
  "iss",
  "aud",
  "sub",
  "exp",
  "nbf",
  "iat",
  "scope",
  "client_id",
  ROLES_CLAIM,
  "__proto__",
  "constructor",
];

const anyOf = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** Hostile variations of the honest `valid` tokens (which must be compact JWS strings). */
export function mutatedToken(valid: readonly string[]): fc.Arbitrary<string> {
  const token = anyOf(valid);
  const segmentIndex = fc.integer({ min: 0, max: 2 });
  const allSegments = [...new Set(valid.flatMap((t) => t.split(".")))];
  const withSegment = (t: string, index: number, value: string) => {
    const parts = segmentsOf(t);
    parts[index] = value;
    return parts.join(".");
  };

  return fc.oneof(
    // A character replaced anywhere (dots included).
    fc.tuple(token, fc.nat(), anyOf(B64URL)).map(([t, at, ch]) => {
      const i = at % t.length;
      return `${t.slice(0, i)}${ch}${t.slice(i + 1)}`;
    }),
    // A bit flipped in the decoded bytes of one segment.
    fc.tuple(token, segmentIndex, fc.nat()).map(([t, index, bit]) => {
      const bytes = base64url.decode(segmentsOf(t)[index]!);
      const at = bit % (bytes.length * 8);
      bytes[at >> 3]! ^= 1 << (at & 7);
      return withSegment(t, index, base64url.encode(bytes));
    }),
    // Segments swapped, repeated, mixed between tokens, dropped or added.
    fc.array(anyOf([...allSegments, ""]), { minLength: 1, maxLength: 5 }).map((parts) => parts.join(".")),
    // A segment replaced by base64url garbage or by random bytes.
    fc
      .tuple(
        token,
        segmentIndex,
        fc.oneof(
          fc.string({ unit: anyOf(B64URL), maxLength: 600 }),
          fc.uint8Array({ maxLength: 600 }).map((b) => base64url.encode(b)),
        ),
      )
      .map(([t, index, garbage]) => withSegment(t, index, garbage)),
    // Unicode (or any code unit at all) inserted somewhere.
    fc.tuple(token, fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 8 })).map(([t, at, inserted]) => {
      const i = at % (t.length + 1);
      return `${t.slice(0, i)}${inserted}${t.slice(i)}`;
    }),
    // Truncated, or a character dropped.
    fc.tuple(token, fc.nat()).map(([t, at]) => t.slice(0, at % t.length)),
    fc.tuple(token, fc.nat()).map(([t, at]) => {
      const i = at % t.length;
      return `${t.slice(0, i)}${t.slice(i + 1)}`;
    }),
    // Huge: a segment or the whole token repeated, or padding appended.
    fc
      .tuple(token, segmentIndex, fc.integer({ min: 2, max: 40 }))
      .map(([t, index, times]) => withSegment(t, index, segmentsOf(t)[index]!.repeat(times))),
    fc
      .tuple(token, fc.integer({ min: 8_000, max: 120_000 }), anyOf(["A", "=", ".", " ", "\u00e9"]))
      .map(([t, size, pad]) => `${t}${pad.repeat(size)}`),
    // Two tokens glued together.
    fc.tuple(token, token, anyOf(["", ".", " ", ",", ", ", "\t"])).map(([a, b, glue]) => `${a}${glue}${b}`),
    // A header parameter set to a hostile value; the payload and signature kept.
    fc.tuple(token, anyOf(Object.keys(HOSTILE_HEADER_VALUES)), fc.nat()).map(([t, name, pick]) => {
      const values = HOSTILE_HEADER_VALUES[name]!;
      const header = JSON.parse(new TextDecoder().decode(base64url.decode(segmentsOf(t)[0]))) as Record<
        string,
        unknown
      >;
      header[name] = values[pick % values.length];
      return withSegment(t, 0, base64url.encode(JSON.stringify(header)));
    }),
    // A claim set to any JSON value; the header and signature kept.
    fc.tuple(token, anyOf(HOSTILE_CLAIM_NAMES), fc.jsonValue({ maxDepth: 2 })).map(([t, name, value]) => {
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(segmentsOf(t)[1]))) as Record<
        string,
        unknown
      >;
      Object.defineProperty(claims, name, { value, enumerable: true, configurable: true, writable: true });
      return withSegment(t, 1, base64url.encode(JSON.stringify(claims)));
    }),
    // Header or payload replaced by arbitrary JSON.
    fc
      .tuple(token, fc.integer({ min: 0, max: 1 }), fc.jsonValue({ maxDepth: 3 }))
      .map(([t, index, value]) => withSegment(t, index, base64url.encode(JSON.stringify(value) ?? "null"))),
  );
}

/** Any string at all, shaped like a token or not. */
export function randomToken(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: "binary", maxLength: 2000 }),
    fc.string({ unit: "binary-ascii", maxLength: 200 }),
    fc
      .array(fc.string({ unit: anyOf(B64URL), maxLength: 300 }), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.join(".")),
  );
}

/** Authorization header values (one, or several to send as repeated headers) around hostile tokens. */
export function authorizationHeaders(valid: readonly string[]): fc.Arbitrary<string[]> {
  const scheme = anyOf([
    "Bearer",
    "bearer",
    "BEARER",
    "Basic",
    "Token",
    "DPoP",
    "JWT",
    "Bearer:",
    "Bear",
    "",
    "B\u00e9arer",
    "Bearer\u00a0",
  ]);
  const separator = anyOf([" ", "  ", "\t", "", ",", "=", " \t"]);
  const credential = fc.oneof(
    { weight: 3, arbitrary: mutatedToken(valid) },
    { weight: 1, arbitrary: randomToken() },
    { weight: 1, arbitrary: anyOf(valid) },
  );
  const one = fc.oneof(
    // Mostly well-formed Bearer headers, so that most cases reach the verifier itself.
    { weight: 6, arbitrary: fc.tuple(anyOf(["Bearer", "bearer", "BEARER"]), credential).map(([s, c]) => `${s} ${c}`) },
    { weight: 2, arbitrary: fc.tuple(scheme, separator, credential).map(([s, sep, c]) => `${s}${sep}${c}`) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 500 }) },
    {
      weight: 1,
      arbitrary: fc.tuple(credential, anyOf([" Bearer", ", Bearer", " x"])).map(([c, tail]) => `Bearer ${c}${tail}`),
    },
  );
  return fc.oneof(
    { weight: 9, arbitrary: one.map((value) => [value]) },
    { weight: 1, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) },
  );
}

/** Headers for a request, as a server would receive them: repeated values kept, wire rules applied. */
export function headersFrom(values: readonly string[]): Headers {
  const headers = new Headers();
  for (const value of values) headers.append("authorization", toWire(value));
  return headers;
}
