import { createHash, timingSafeEqual } from "node:crypto";

import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from "jose";

import { ASYMMETRIC_ALGORITHMS, DPOP_MODES, type AsymmetricAlgorithm, type DpopMode } from "./algorithms.ts";
import { InvalidDpopProofError } from "./errors.ts";
import { DEFAULT_CLOCK_TOLERANCE, isCompactJws } from "./jws.ts";

/**
 * DPoP proofs (RFC 9449): a DPoP-bound access token names a key (`cnf.jkt`, the key's SHA-256
 * JWK thumbprint), and is accepted only with a fresh proof signed by that key for this very
 * request. A copy of the token alone (a log line, a backup, a proxy) opens nothing.
 *
 * A proof is accepted when it is a compact JWS of `typ: dpop+jwt`, signed with an allowed
 * asymmetric `alg` by the public `jwk` of its header (no private parts); its `htm` is the request
 * method, its `htu` the request URL without query and fragment, its `iat` recent, its `ath` the
 * token's hash, its key the token's `cnf.jkt`, and its `jti` never seen before (the replay
 * store, shared by every instance of the API, remembers it as long as the proof could be accepted).
 */

export { DPOP_MODES, type DpopMode };

/** Where proofs' `jti`s are remembered. Share one between the API's instances (a database table). */
export interface ReplayStore {
  /** Records `id` until `expiresAt`. Resolves `false` when it was recorded before: a replay. */
  add(id: string, expiresAt: Date): Promise<boolean>;
}

export interface DpopVerifierOptions {
  /** Default: "allowed" */
  mode?: DpopMode;
  /** Where seen `jti`s are kept; required unless `mode` is `off`. */
  replayStore?: ReplayStore;
  /** Proof signature algorithms accepted (asymmetric only). Default: ["ES256", "EdDSA", "Ed25519", "PS256", "RS256"] */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Seconds a proof is accepted after its `iat`. Default: 60 */
  maxAge?: number;
  /** Seconds of clock skew tolerated on `iat`, both ways. Default: 5 */
  clockTolerance?: number;
  /** Longest proof accepted, in characters; longer ones are refused before parsing. Default: 4096 */
  maxProofLength?: number;
  /**
   * The URL the client called, which the proof's `htu` must name. Behind a proxy the server sees
   * another host, port or scheme: pass the public URL (e.g. your public origin + the path).
   * Default: `request.url`
   */
  requestUrl?: (request: Request) => string;
}

/** What one request brought for the proof check. */
export interface DpopProofInput {
  method: string;
  /** The public URL of the request; its query and fragment are ignored. */
  url: string;
  /** Every `DPoP` header value (more than one is refused). */
  proofs: readonly string[];
  accessToken: string;
  /** The token's `cnf.jkt`. */
  jkt: string;
}

export interface DpopVerifier {
  readonly mode: DpopMode;
  readonly algorithms: readonly AsymmetricAlgorithm[];
  /** The public URL of a Fetch request, for {@link DpopProofInput.url}. */
  requestUrl(request: Request): string;
  /**
   * Checks a proof for a token bound to `jkt`, then records its `jti`.
   *
   * @throws {InvalidDpopProofError} 401 for every proof problem, with a fixed description per kind.
   */
  verifyProof(input: DpopProofInput): Promise<{ jti: string }>;
}

/** Members of a private or symmetric JWK (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const MAX_JTI_LENGTH = 256;

const invalid = (description: string, reason: string) => new InvalidDpopProofError(description, reason);

export function createDpopVerifier(options: DpopVerifierOptions = {}): DpopVerifier {
  const mode = options.mode ?? "allowed";
  if (!DPOP_MODES.includes(mode)) throw new TypeError(`mode must be one of ${DPOP_MODES.join(", ")}`);
  const algorithms = [...(options.algorithms ?? ["ES256", "EdDSA", "Ed25519", "PS256", "RS256"])];
  if (algorithms.length === 0 || !algorithms.every((alg) => ASYMMETRIC_ALGORITHMS.includes(alg))) {
    throw new TypeError(`algorithms must be a non-empty subset of ${ASYMMETRIC_ALGORITHMS.join(", ")}`);
  }
  const { replayStore } = options;
  if (mode !== "off" && !replayStore) throw new TypeError("replayStore is required unless mode is off");
  const maxAge = options.maxAge ?? 60;
  const tolerance = options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE;
  const maxProofLength = options.maxProofLength ?? 4096;
  const proofKeys = createProofKeyCache();

  return {
    mode,
    algorithms,
    requestUrl: options.requestUrl ?? ((request) => request.url),
    async verifyProof({ method, url, proofs, accessToken, jkt }) {
      if (!replayStore) throw invalid("This API does not accept DPoP proofs", "dpop_off");
      if (proofs.length === 0) throw invalid("A DPoP proof is required with a DPoP-bound token", "missing_proof");
      const proof = proofs[0] as string;
      // Fetch joins repeated headers with ", "; a compact JWS has no comma.
      if (proofs.length > 1 || proof.includes(",")) throw invalid("Send exactly one DPoP proof", "multiple_proofs");
      if (proof.length > maxProofLength) throw invalid("The DPoP proof is too large", "too_large");
      if (!isCompactJws(proof)) throw invalid("The DPoP proof is malformed", "malformed");

      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(proof);
      } catch {
        throw invalid("The DPoP proof is malformed", "malformed");
      }
      if (header.typ !== "dpop+jwt") throw invalid("The DPoP proof must be typed dpop+jwt", "typ");
      const alg = header.alg;
      // Stryker disable next-line ConditionalExpression: equivalent, `includes` refuses every non-string alg too; the typeof is for the type
      if (typeof alg !== "string" || !algorithms.includes(alg as AsymmetricAlgorithm)) {
        throw invalid("The DPoP proof algorithm is not allowed", "alg_not_allowed");
      }
      const jwk = header.jwk as JWK | undefined;
      if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
        throw invalid("The DPoP proof must carry its public key", "jwk_missing");
      }
      if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
        throw invalid("The DPoP proof's key must be a public key", "private_key");
      }

      let payload: Record<string, unknown>;
      let thumbprint: string;
      try {
        let key: Awaited<ReturnType<typeof importJWK>>;
        ({ key, thumbprint } = await proofKeys.get(jwk, alg));
        // Stryker disable next-line ObjectLiteral: equivalent here, typ and alg were checked on this very header above; kept as a second lock
        ({ payload } = await jwtVerify(proof, key, { algorithms: [alg], typ: "dpop+jwt" }));
      } catch {
        throw invalid("The DPoP proof signature is invalid", "signature");
      }

      const { jti, htm, htu, iat, ath } = payload;
      if (typeof jti !== "string" || jti === "" || jti.length > MAX_JTI_LENGTH) {
        throw invalid("The DPoP proof must have a jti", "jti");
      }
      if (htm !== method) throw invalid("The DPoP proof is for another HTTP method", "htm");
      if (!sameHtu(htu, url)) throw invalid("The DPoP proof is for another URL", "htu");
      // Stryker disable next-line ConditionalExpression: equivalent, Number.isFinite is false for every non-number; the typeof is for the type
      if (typeof iat !== "number" || !Number.isFinite(iat)) throw invalid("The DPoP proof must have an iat", "iat");
      const now = Date.now() / 1000;
      if (iat > now + tolerance) throw invalid("The DPoP proof is issued in the future", "iat_future");
      if (iat < now - maxAge - tolerance) throw invalid("The DPoP proof is too old", "iat_too_old");
      if (typeof ath !== "string" || !sameText(ath, sha256(accessToken, "base64url"))) {
        throw invalid("The DPoP proof is for another access token", "ath");
      }
      if (!sameText(thumbprint, jkt)) {
        throw invalid("The DPoP proof is signed by another key than the token is bound to", "jkt");
      }
      // Last, so that only proofs valid in every other way take a place in the store.
      const id = sha256(`${jkt}\n${jti}`, "hex");
      if (!(await replayStore.add(id, new Date((iat + maxAge + tolerance) * 1000)))) {
        throw invalid("The DPoP proof was used before", "replayed");
      }
      return { jti };
    },
  };
}

/** How many proof keys a verifier keeps imported: a client signs every proof with the same one. */
export const PROOF_KEY_CACHE_SIZE = 100;

/**
 * Proof keys, imported once each with their thumbprint: a client sends the same public key in
 * every proof, and importing it and hashing it again costs more than the signature check.
 * Keyed by the JWK's JSON text and `alg`, so only the very same key text hits; bounded, the
 * oldest going first, so a flood of new keys costs memory for {@link PROOF_KEY_CACHE_SIZE} only.
 * A key that fails to import is not kept.
 */
function createProofKeyCache() {
  type Imported = { key: Awaited<ReturnType<typeof importJWK>>; thumbprint: string };
  const imported = new Map<string, Promise<Imported>>();
  return {
    get(jwk: JWK, alg: string): Promise<Imported> {
      const id = `${alg}\n${JSON.stringify(jwk)}`;
      let entry = imported.get(id);
      if (!entry) {
        // The bound and the failure cleanup below only free memory: a key that is not kept is imported
        // again, with the same result (dpop.test.ts "proof keys imported once").
        // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: memory only, see above
        if (imported.size >= PROOF_KEY_CACHE_SIZE) imported.delete(imported.keys().next().value as string);
        entry = Promise.all([importJWK(jwk, alg), calculateJwkThumbprint(jwk, "sha256")]).then(([key, thumbprint]) => ({
          key,
          thumbprint,
        }));
        imported.set(id, entry);
        // Stryker disable next-line BlockStatement,ArrowFunction: memory only, see above
        entry.catch(() => imported.delete(id));
      }
      return entry;
    },
  };
}

/** The token's `cnf.jkt` (RFC 9449 §6.1), or undefined for a token that is not DPoP-bound. */
export function boundThumbprint(payload: { readonly [claim: string]: unknown }): string | undefined {
  const { cnf } = payload;
  if (cnf === undefined) return undefined;
  // Stryker disable next-line ConditionalExpression: equivalent for JSON claims, no primitive has a `jkt`; only null needs refusing
  const jkt = typeof cnf === "object" && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
  // A `cnf` we cannot read binds the token to something we cannot check: never a bearer token.
  return typeof jkt === "string" && jkt !== "" ? jkt : "unreadable";
}

/**
 * A proof's `htu` against the request URL (RFC 9449 §4.3 step 9): both parsed and normalised
 * (case of scheme and host, default port, dot segments, case of percent-escapes), the request's
 * query and fragment ignored; an `htu` that carries a query or fragment itself is refused.
 */
function sameHtu(htu: unknown, requestUrl: string): boolean {
  if (typeof htu !== "string" || htu.length > 2048 || /[?#]/.test(htu)) return false;
  const claimed = URL.parse(htu);
  const actual = URL.parse(requestUrl);
  // Stryker disable next-line Regex: equivalent, a URL's protocol always ends at its only colon
  if (!claimed || !actual || !/^https?:$/.test(claimed.protocol)) return false;
  actual.search = "";
  actual.hash = "";
  return normalised(claimed) === normalised(actual);
}

// Stryker disable next-line MethodExpression: equivalent, lower case normalises the escapes as well as upper case does
const normalised = (url: URL) => url.href.replace(/%[0-9a-f]{2}/gi, (triplet) => triplet.toUpperCase());

function sha256(value: string, encoding: "hex" | "base64url"): string {
  return createHash("sha256").update(value).digest(encoding);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A {@link ReplayStore} in this process's memory: for a single instance and for tests. Several
 * instances need a shared one (the app keeps its in the database).
 */
export function createMemoryReplayStore(): ReplayStore {
  const seen = new Map<string, number>();
  let nextSweep = 0;
  return {
    async add(id, expiresAt) {
      const now = Date.now();
      // Expired ids go every 10 s: one pass over the map then, not one per request.
      // The sweep only frees memory (an expired id is taken again below whether swept or not), so
      // how often it runs and whether an id expiring this very millisecond goes is not observable;
      // dpop.limits.test.ts shows that it never forgets a live id.
      // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: memory only, see above
      if (now >= nextSweep) {
        // Stryker disable next-line ArithmeticOperator: memory only, see above
        nextSweep = now + 10_000;
        // Stryker disable next-line ConditionalExpression,EqualityOperator,CallExpression: memory only, see above
        for (const [key, until] of seen) if (until <= now) seen.delete(key);
      }
      const until = seen.get(id);
      // Stryker disable next-line ConditionalExpression: equivalent, `undefined > now` is false; the check is for the type
      if (until !== undefined && until > now) return false;
      seen.set(id, expiresAt.getTime());
      return true;
    },
  };
}
