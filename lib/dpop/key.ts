/**
 * The app's DPoP key (AUTH_DPOP_PRIVATE_KEY), held by the app's servers only and apart from the
 * database: a database backup holds tokens, never the key they are bound to.
 */
import "server-only";
import { decodeJwt } from "jose";
import { providerMetadata } from "../issuer/discovery";
import { env } from "../env";
import { importDpopKey, supportsDpop, type DpopKey } from "./proof";

let loaded: Promise<DpopKey> | undefined;

/** The app's DPoP key, or undefined when AUTH_DPOP_PRIVATE_KEY is unset (development only). */
export function appDpopKey(): Promise<DpopKey | undefined> {
  const json = env.AUTH_DPOP_PRIVATE_KEY;
  if (!json) return Promise.resolve(undefined);
  loaded ??= importDpopKey(json);
  return loaded;
}

/**
 * The key to sign token requests with, or undefined to ask for plain bearer tokens: when the
 * app has no key, or the IdP does not advertise DPoP (the doctor says so).
 */
export async function dpopKeyForIdp(): Promise<DpopKey | undefined> {
  const key = await appDpopKey();
  if (!key) return undefined;
  return supportsDpop(await providerMetadata()) ? key : undefined;
}

/** The IdP's token endpoint, from its (cached) discovery document. */
export async function idpTokenEndpoint(): Promise<string> {
  return (await providerMetadata()).token_endpoint;
}

/**
 * Whether a DPoP-bound token is bound to the app's current key. After a key rotation, tokens
 * bound to the old key are refreshed (and bound to the new one) instead of being refused by the
 * API. Reads the token without verifying it: the app only picks which token to send; the API decides.
 */
export async function boundToAppKey(token: string): Promise<boolean> {
  const key = await appDpopKey();
  if (!key) return false;
  try {
    const { cnf } = decodeJwt(token) as { cnf?: { jkt?: unknown } };
    return cnf?.jkt === undefined || cnf.jkt === key.thumbprint;
  } catch {
    return true; // not a JWT: the API will say
  }
}
