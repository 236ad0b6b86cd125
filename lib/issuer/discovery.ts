/**
 * The IdP's OpenID Provider metadata (discovery document), cached per issuer. Every endpoint the
 * app calls itself (token, end-session, revocation) comes from here, and Auth.js reads the same
 * cached copy through {@link discoveryFetch}, so a sign-in no longer fetches the document twice
 * (once to start, once in the callback).
 *
 * The cache honours HTTP caching (RFC 9111): `Cache-Control: max-age` (less `Age`), else
 * `Expires`; `no-store`, `no-cache` or `max-age=0` mean "ask every time". A response that says
 * nothing is kept for DEFAULT_FRESHNESS_MS. A failed fetch is never cached: the next request
 * tries again, and meanwhile a stale copy, when there is one, is served (stale-if-error). A
 * request to an endpoint of a cached document that cannot reach the IdP drops the copy, so the
 * next one discovers afresh.
 */
import "server-only";
import { env } from "../env";
import { timed } from "../http/server-timing";
import { discoveryUrl as discoveryUrlOf, fetchDiscovery } from "../resource-server";
import { IdpUnavailableError } from "../tokens/errors";

export interface ProviderMetadata {
  issuer: string;
  token_endpoint: string;
  end_session_endpoint?: string;
  revocation_endpoint?: string;
  jwks_uri: string;
  /** Present when the IdP does DPoP (RFC 9449 §5.1). */
  dpop_signing_alg_values_supported?: string[];
}

/** How long to keep a document whose response says nothing about caching. Default: 10 minutes */
export const DEFAULT_FRESHNESS_MS = 10 * 60_000;
/** No copy is kept longer than this, whatever the response says. Default: 1 day */
const MAX_FRESHNESS_MS = 24 * 60 * 60_000;

interface Entry {
  /** The response body as received: Auth.js parses (and checks) its own copy. */
  body: string;
  metadata: ProviderMetadata;
  freshUntil: number;
}

const entries = new Map<string, Entry>();
const pending = new Map<string, Promise<Entry>>();

export function discoveryUrl(issuer = env.AUTH_ISSUER): string {
  return discoveryUrlOf(issuer);
}

/** How long a response may be reused, in ms, from its caching headers (RFC 9111 §4.2.1). */
export function freshnessMs(headers: Headers, now = Date.now()): number {
  const directives = new Map(
    (headers.get("cache-control") ?? "")
      .split(",")
      .map((part) => part.trim().toLowerCase().split("=") as [string, string | undefined])
      .filter(([name]) => name),
  );
  if (directives.has("no-store") || directives.has("no-cache")) return 0;
  const age = Number(headers.get("age")) || 0;
  const maxAge = directives.get("max-age");
  if (maxAge !== undefined) {
    const seconds = Number(maxAge.replace(/"/g, ""));
    return Number.isFinite(seconds) ? clamp((seconds - age) * 1000) : 0;
  }
  const expires = headers.get("expires");
  if (expires !== null) {
    const at = Date.parse(expires);
    const date = Date.parse(headers.get("date") ?? "") || now;
    return Number.isFinite(at) ? clamp(at - date - age * 1000) : 0; // an invalid Expires is already stale
  }
  return DEFAULT_FRESHNESS_MS;
}

const clamp = (ms: number) => Math.min(Math.max(ms, 0), MAX_FRESHNESS_MS);

async function load(issuer: string): Promise<Entry> {
  let response: Response;
  try {
    response = await fetchDiscovery(issuer);
  } catch (cause) {
    throw new IdpUnavailableError(issuer, { cause });
  }
  if (!response.ok) throw new IdpUnavailableError(issuer, { reason: `http_${response.status}` });
  const body = await response.text();
  let metadata: ProviderMetadata;
  try {
    metadata = JSON.parse(body) as ProviderMetadata;
  } catch (cause) {
    throw new IdpUnavailableError(issuer, { cause, reason: "not_json" });
  }
  return { body, metadata, freshUntil: Date.now() + freshnessMs(response.headers) };
}

async function entry(issuer: string): Promise<Entry> {
  const cached = entries.get(issuer);
  if (cached && cached.freshUntil > Date.now()) return cached;
  let loading = pending.get(issuer);
  if (!loading) {
    loading = timed("discovery", () => load(issuer))
      .then((loaded) => {
        entries.set(issuer, loaded);
        return loaded;
      })
      .finally(() => pending.delete(issuer));
    pending.set(issuer, loading);
  }
  try {
    return await loading;
  } catch (error) {
    if (cached) return cached; // stale-if-error: the endpoints rarely move; the next request tries again
    throw error;
  }
}

/** The metadata of `issuer` (default AUTH_ISSUER), from the cache while fresh. */
export async function providerMetadata(issuer = env.AUTH_ISSUER): Promise<ProviderMetadata> {
  return (await entry(issuer)).metadata;
}

/** Drops the cached document of `issuer`: the next use fetches it again. */
export function forgetProviderMetadata(issuer = env.AUTH_ISSUER): void {
  entries.delete(issuer);
}

/**
 * A fetch for Auth.js (the provider's `customFetch`): the discovery document of AUTH_ISSUER
 * comes from the cache above; every other request goes out as usual, timed, and one that cannot
 * reach the IdP drops the cached document.
 */
export async function discoveryFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url === discoveryUrl() && (init?.method ?? "GET") === "GET") {
    const { body } = await entry(env.AUTH_ISSUER);
    return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
  }
  try {
    return await timed("idp", () => fetch(input, init));
  } catch (error) {
    forgetProviderMetadata();
    throw error;
  }
}

/** Whether the IdP answers its discovery document right now (for the error page). */
export async function idpAnswers(): Promise<boolean> {
  try {
    const response = await fetchDiscovery(env.AUTH_ISSUER, { timeout: 2_000 });
    return response.ok;
  } catch {
    return false;
  }
}
