/**
 * Auth.js with database sessions: the browser holds one opaque, HttpOnly session cookie; the
 * session, its own tokens (SessionTokens) and the user live in the database.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth from "next-auth";
import type { Adapter, AdapterAccount } from "next-auth/adapters";
import { db } from "../db";
import { timed } from "../http/server-timing";
import { authConfig } from "./config";
import { createSessionWithTokens } from "./new-session";

const prismaAdapter = PrismaAdapter(db);

/** The adapter with every database call timed as the inner step `db` (lib/http/server-timing.ts). */
function timedAdapter(adapter: Adapter): Adapter {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(adapter)) {
    wrapped[name] =
      typeof method === "function"
        ? (...args: unknown[]) => timed("db", () => method.apply(adapter, args), true)
        : method;
  }
  return wrapped as Adapter;
}

/** Set by `serverSession` around Auth.js's own lookup: which session row it found. */
const sessionLookup = new AsyncLocalStorage<{ sessionId?: string }>();

export const { auth, handlers, signIn, signOut } = NextAuth({
  ...authConfig,
  adapter: timedAdapter({
    ...prismaAdapter,
    // The Account row only links the IdP's `sub` to the user; the sign-in's tokens go to the
    // session it creates.
    async linkAccount({ userId, type, provider, providerAccountId }: AdapterAccount) {
      await db.account.create({ data: { userId, type, provider, providerAccountId } });
    },
    createSession: createSessionWithTokens,
    async getSessionAndUser(sessionToken) {
      const found = await prismaAdapter.getSessionAndUser!(sessionToken);
      const lookup = sessionLookup.getStore();
      if (lookup && found) lookup.sessionId = (found.session as { id?: string }).id;
      return found;
    },
  }),
});

export interface ServerSession {
  /** The app session's database id: the key of its token set. Never sent to the browser. */
  sessionId: string;
  user: { id: string; name: string | null; email: string | null };
}

/**
 * The signed-in session for server code: Auth.js's own lookup (with its sliding expiry), plus the
 * id of the session row it found, which the session callback (what the browser may read) leaves out.
 */
export async function serverSession(): Promise<ServerSession | null> {
  const lookup: { sessionId?: string } = {};
  const session = await sessionLookup.run(lookup, () => auth());
  const user = session?.user;
  if (!user?.id || !lookup.sessionId) return null;
  return { sessionId: lookup.sessionId, user: { id: user.id, name: user.name ?? null, email: user.email ?? null } };
}
