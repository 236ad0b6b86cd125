/**
 * The IdP's OpenID Provider metadata, fetched once per process and cached. Every endpoint the
 * app calls itself (token, end-session, revocation) comes from here, so the app follows
 * whichever IdP AUTH_ISSUER names without knowing its URL layout.
 */
import "server-only";
import { env } from "../env";
import { IdpUnavailableError } from "./errors";

export interface ProviderMetadata {
  issuer: string;
  token_endpoint: string;
  end_session_endpoint?: string;
  revocation_endpoint?: string;
  jwks_uri: string;
}

let cached: Promise<ProviderMetadata> | undefined;

/** Milliseconds to wait for the IdP before calling it unreachable. */
const TIMEOUT_MS = 5_000;

function discoveryUrl(issuer = env.AUTH_ISSUER): string {
  return `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
}

async function load(): Promise<ProviderMetadata> {
  let response: Response;
  try {
    response = await fetch(discoveryUrl(), { signal: AbortSignal.timeout(TIMEOUT_MS), cache: "no-store" });
  } catch (cause) {
    throw new IdpUnavailableError(env.AUTH_ISSUER, { cause });
  }
  if (!response.ok) throw new IdpUnavailableError(env.AUTH_ISSUER);
  return (await response.json()) as ProviderMetadata;
}

export function providerMetadata(): Promise<ProviderMetadata> {
  cached ??= load().catch((error) => {
    cached = undefined; // try again next time: the IdP may just be starting
    throw error;
  });
  return cached;
}

/** Whether the IdP answers its discovery document right now (for the error page). */
export async function idpAnswers(): Promise<boolean> {
  try {
    const response = await fetch(discoveryUrl(), { signal: AbortSignal.timeout(2_000), cache: "no-store" });
    return response.ok;
  } catch {
    return false;
  }
}
