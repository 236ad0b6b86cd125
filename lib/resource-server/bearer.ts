import { readBoundedBody } from "./body.ts";
import { InvalidRequestError, NoCredentialsError, type AuthScheme } from "./errors.ts";

/**
 * Reads the bearer token from a request (RFC 6750 §2.1), and only from the `Authorization`
 * header. Tokens in the URL (§2.3) or a form body (§2.2) are refused outright, even next to a
 * valid header: URLs end up in logs and browser history, and two tokens is ambiguous.
 *
 * Grammar accepted: `Bearer` (or `DPoP`, RFC 9449 §7.1, where the API accepts it; any case),
 * exactly one space, one token68 (`[A-Za-z0-9-._~+/]+=*`). RFC 6750 allows several spaces; we
 * refuse them so that one credential has one spelling.
 */

export interface BearerOptions {
  /** Longest `Authorization` header value accepted, in characters. Default: 8192 */
  maxHeaderLength?: number;
  /** How much of a form-encoded body {@link assertNoTokenInBody} scans, in bytes. Default: 65536 */
  maxBodyScanBytes?: number;
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** The auth-scheme: a whole tchar run (RFC 9110 §11.1), followed by the end or a space. */
const SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const DEFAULT_MAX_HEADER_LENGTH = 8192;
const DEFAULT_MAX_BODY_SCAN_BYTES = 65_536;

const missing = () => new NoCredentialsError("An access token is required", "missing");
const malformed = (reason: string) => new InvalidRequestError("The Authorization header is malformed", reason);

/**
 * The token from one `Authorization` header value.
 *
 * @throws {NoCredentialsError} 401 when there is no credential or it uses another scheme
 *   (RFC 6750 §3.1 treats an unsupported scheme as "no authentication information").
 * @throws {InvalidRequestError} 400 when the Bearer credential is malformed, repeated or too large.
 */
export function parseAuthorizationHeader(value: string | null | undefined, options: BearerOptions = {}): string {
  return parseCredentials(value, ["Bearer"], options).token;
}

/** An access token and the scheme it came with. */
export interface Credentials {
  scheme: AuthScheme;
  token: string;
}

/**
 * {@link parseAuthorizationHeader} for an API that accepts several schemes (Bearer and DPoP):
 * the token and the scheme it came with. Throws as {@link parseAuthorizationHeader} does.
 */
export function parseCredentials(
  value: string | null | undefined,
  schemes: readonly AuthScheme[],
  options: BearerOptions = {},
): Credentials {
  if (value == null || value.trim() === "") throw missing();
  if (value.length > (options.maxHeaderLength ?? DEFAULT_MAX_HEADER_LENGTH)) {
    throw new InvalidRequestError("The Authorization header is too large", "header_too_large");
  }
  // Fetch joins repeated headers with ", "; token68 has no comma, so a comma means two credentials.
  if (value.includes(",")) throw malformed("multiple_credentials");
  const name = SCHEME.exec(value)?.[0].toLowerCase();
  const scheme = schemes.find((accepted) => accepted.toLowerCase() === name);
  if (!name || !scheme) {
    throw new NoCredentialsError(`Use the ${schemes.join(" or ")} authentication scheme`, "unsupported_scheme");
  }
  const rest = value.slice(name.length);
  if (rest[0] !== " " || !TOKEN68.test(rest.slice(1))) throw malformed("malformed_header");
  return { scheme, token: rest.slice(1) };
}

/**
 * The bearer token of a Fetch `Request` (Next.js route handlers, Hono, Deno, Bun, undici).
 * Synchronous: it checks the header and the URL; see {@link assertNoTokenInBody} for the body.
 */
export function extractBearerToken(request: Request, options: BearerOptions = {}): string {
  return extractCredentials(request, ["Bearer"], options).token;
}

/** {@link extractBearerToken} for an API that accepts several schemes: the token and its scheme. */
export function extractCredentials(
  request: Request,
  schemes: readonly AuthScheme[],
  options: BearerOptions = {},
): Credentials {
  rejectTokenInUrl(request.url);
  return parseCredentials(request.headers.get("authorization"), schemes, options);
}

/** The parts of Node's `IncomingMessage` that {@link extractBearerTokenFromNode} reads. */
export interface NodeRequestLike {
  headersDistinct: Record<string, string[] | undefined>;
  url?: string;
}

/**
 * The bearer token of a plain `node:http` request. Node keeps only the first of repeated
 * `Authorization` headers in `req.headers`; `headersDistinct` keeps them all, so duplicates
 * are caught here.
 */
export function extractBearerTokenFromNode(request: NodeRequestLike, options: BearerOptions = {}): string {
  // Stryker disable next-line StringLiteral: equivalent; "" and "/" resolve to the same query-less URL
  rejectTokenInUrl(request.url ?? "/");
  const values = request.headersDistinct.authorization ?? [];
  if (values.length > 1) throw malformed("multiple_credentials");
  return parseAuthorizationHeader(values[0], options);
}

/**
 * Refuses a form-encoded body that carries `access_token` (RFC 6750 §2.2). Reads a clone, so
 * the route can still read the body. Only `application/x-www-form-urlencoded` is scanned (the
 * one body method RFC 6750 defines), and only its first `maxBodyScanBytes`: a token hidden
 * past that is not refused, but it is never accepted either, since only the header is read.
 *
 * @throws {InvalidRequestError} 400 when the body carries a token.
 */
export async function assertNoTokenInBody(request: Request, options: BearerOptions = {}): Promise<void> {
  const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded" || request.body === null || request.bodyUsed) {
    return;
  }
  const text = await readPrefix(request.clone(), options.maxBodyScanBytes ?? DEFAULT_MAX_BODY_SCAN_BYTES);
  if (new URLSearchParams(text).has("access_token")) {
    throw new InvalidRequestError("Send the access token in the Authorization header only", "token_in_body");
  }
}

function rejectTokenInUrl(url: string): void {
  let params: URLSearchParams;
  try {
    params = new URL(url, "http://localhost").searchParams;
  } catch {
    throw new InvalidRequestError("The request URL is malformed", "malformed_url");
  }
  if (params.has("access_token")) {
    throw new InvalidRequestError("Send the access token in the Authorization header only", "token_in_url");
  }
}

async function readPrefix(request: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBoundedBody(request.body, maxBytes, { truncate: true }));
}
