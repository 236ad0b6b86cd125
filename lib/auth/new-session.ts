/**
 * What a sign-in hands the app session it creates: the ID token's `sid` (the IdP session, which
 * back-channel logout tokens name) and the token response. Auth.js passes neither to the adapter's
 * `createSession`: during a sign-in callback the signIn callback (which gets the validated ID
 * token claims as `profile`, and the token response as `account`) stores them for the request,
 * and `createSession` (./index.ts) writes the session and its own token set in one transaction.
 *
 * A back-channel logout can arrive between the code exchange and that write; it records the
 * `sid` it ended (../backchannel/logout.ts), and the session created for an ended `sid` is
 * deleted again at once.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import type { Account } from "@auth/core/types";
import type { AdapterSession } from "next-auth/adapters";
import { endedSidKey } from "../backchannel/ended-sid";
import { db } from "../db";
import { requestLogger } from "../logger";
import { tokenSetOf } from "../tokens/store";

const MAX_SID_LENGTH = 255;

interface SignInUnderWay {
  sid?: string;
  account?: Account;
}

const current = new AsyncLocalStorage<SignInUnderWay>();

/** Runs a sign-in callback request with room for what its session must record. */
export function withSignIn<T>(run: () => Promise<T>): Promise<T> {
  return current.run({}, run);
}

/** Remembers the sign-in's `sid` (when well-formed) and tokens, for the session it will create. */
export function rememberSignIn(sid: unknown, account: Account | null | undefined): void {
  const store = current.getStore();
  if (!store) return;
  if (typeof sid === "string" && sid.length > 0 && sid.length <= MAX_SID_LENGTH) store.sid = sid;
  if (account) store.account = account;
}

/** The adapter's `createSession`: the session, its `sid`, and the sign-in's tokens as its own. */
export async function createSessionWithTokens(session: AdapterSession): Promise<AdapterSession> {
  const { sid, account } = current.getStore() ?? {};
  const created = await db.session.create({
    data: {
      ...session,
      sid: sid ?? null,
      ...(account ? { tokens: { create: tokenSetOf(account) } } : {}),
    },
  });
  // Written first, checked second (the back-channel handler does the reverse), so one of the two
  // always sees the other.
  if (sid && (await db.endedIdpSession.findUnique({ where: { id: endedSidKey(sid) }, select: { id: true } }))) {
    await db.session.deleteMany({ where: { id: created.id } });
    (await requestLogger()).warn(
      { event: "sign_in_ended", reason: "idp_session_ended" },
      "the IdP ended this session while the sign-in completed; not kept",
    );
  }
  return created;
}
