/**
 * Which IdP session an app session belongs to. Back-channel logout tokens name an IdP session by
 * its `sid`; Auth.js keeps none. During a sign-in callback the ID token's `sid` (its validated
 * claims, which Auth.js hands the signIn callback as `profile`) is remembered for the request, and
 * the adapter writes it on the session it creates in the same request (./index.ts), so one
 * browser's IdP session maps to exactly the app sessions it created.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";

const MAX_SID_LENGTH = 255;

const current = new AsyncLocalStorage<{ sid?: string }>();

/** Runs a sign-in callback request with room for its ID token's `sid`. */
export function withSignInSid<T>(run: () => Promise<T>): Promise<T> {
  return current.run({}, run);
}

/** Remembers the ID token's `sid` for the sign-in under way (ignored outside one, or when malformed). */
export function rememberSid(sid: unknown): void {
  const store = current.getStore();
  if (store && typeof sid === "string" && sid.length > 0 && sid.length <= MAX_SID_LENGTH) store.sid = sid;
}

/** The `sid` of the sign-in under way, or null. */
export function sidOfThisSignIn(): string | null {
  return current.getStore()?.sid ?? null;
}
