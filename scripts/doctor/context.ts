/**
 * What every check needs: the settings as lib/env.ts parsed them (only the valid ones), whether
 * they point at the local IdP, and one careful way to call the IdP.
 */
import type { Env } from "../../lib/env";

export interface DoctorContext {
  /** The settings lib/env.ts accepts; a bad one is missing here and reported by the settings check. */
  env: Partial<Env>;
  /** AUTH_ISSUER is the local IdP in idp/ (scripts/programs.ts). */
  local: boolean;
  /** Milliseconds before a request to the IdP counts as unanswered. */
  timeoutMs: number;
}

/** The discovery document's fields the doctor reads. */
export interface ProviderMetadata {
  issuer?: unknown;
  jwks_uri?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  end_session_endpoint?: unknown;
  token_endpoint_auth_methods_supported?: unknown;
  dpop_signing_alg_values_supported?: unknown;
}

/** A GET or POST that never follows redirects (they are part of what is checked). */
export function request(ctx: DoctorContext, url: string | URL, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { redirect: "manual", cache: "no-store", ...init, signal: AbortSignal.timeout(ctx.timeoutMs) });
}

/** Why a request got no answer, in a few words (never the request itself). */
export function unreachable(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (error instanceof Error && error.name === "TimeoutError") return "no answer in time";
  const code = (cause as { code?: unknown } | undefined)?.code;
  // undici's name for a connection closed before an answer came.
  if (code === "UND_ERR_SOCKET") return "connection closed without an answer";
  if (typeof code === "string") return code;
  return cause instanceof Error ? cause.message.split("\n")[0]! : "no answer";
}

/** Auth0 tenants (custom domains cannot be told apart by name). */
export function isAuth0(issuer: string): boolean {
  return URL.canParse(issuer) && /(^|\.)auth0\.com$/i.test(new URL(issuer).hostname);
}

/** Keycloak realms: https://host/realms/<realm> (older: /auth/realms/<realm>). */
export function isKeycloak(issuer: string): boolean {
  return URL.canParse(issuer) && /\/realms\/[^/]+\/?$/.test(new URL(issuer).pathname);
}
