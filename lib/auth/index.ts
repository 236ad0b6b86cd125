/**
 * Auth.js with database sessions: the browser holds one opaque, HttpOnly session cookie; the
 * session, its own tokens (SessionTokens) and the user live in the database.
 */
import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth from "next-auth";
import type { Adapter, AdapterAccount } from "next-auth/adapters";
import { cookies } from "next/headers";
import { db } from "../db";
import { env } from "../env";
import { timed } from "../http/server-timing";
import { authConfig, SESSION_LIFETIME } from "./config";
import { sessionCookieName } from "./cookies";
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

export const { handlers, signIn, signOut } = NextAuth({
  ...authConfig,
  adapter: timedAdapter({
    ...prismaAdapter,
    // The Account row only links the IdP's `sub` to the user; the sign-in's tokens go to the
    // session it creates.
    async linkAccount({ userId, type, provider, providerAccountId }: AdapterAccount) {
      await db.account.create({ data: { userId, type, provider, providerAccountId } });
    },
    createSession: createSessionWithTokens,
  }),
});

export interface ServerSession {
  /** The app session's database id: the key of its token set. Never sent to the browser. */
  sessionId: string;
  user: { id: string; name: string | null; email: string | null };
}

/**
 * The signed-in session for server code, read by its cookie straight from the database: the one
 * query Auth.js's own lookup makes, without the Auth.js request built around it (about 1.4 ms of
 * a signed-in page's 15, docs/benchmarks.md), and with the session row's id, which the session
 * callback (what the browser may read) leaves out. Auth.js's rules for database sessions: an
 * unknown token is no session, an expired one is deleted, and the expiry slides forward once
 * `updateAge` has passed. Auth.js still signs in and out and answers /api/auth/session.
 */
export async function serverSession(): Promise<ServerSession | null> {
  const token = (await cookies()).get(sessionCookieName(env.APP_URL))?.value;
  if (!token) return null;
  const found = await timed(
    "db",
    () =>
      db.session.findUnique({
        where: { sessionToken: token },
        select: { id: true, expires: true, user: { select: { id: true, name: true, email: true } } },
      }),
    true,
  );
  if (!found) return null;
  const now = Date.now();
  const { maxAge, updateAge } = SESSION_LIFETIME;
  if (found.expires.getTime() <= now) {
    await timed("db", () => db.session.deleteMany({ where: { id: found.id, expires: { lte: new Date(now) } } }), true);
    return null;
  }
  if (found.expires.getTime() - (maxAge - updateAge) * 1000 <= now) {
    // Guarded by the id: a session deleted meanwhile (a sign-out, a back-channel logout) stays ended.
    const { count } = await timed(
      "db",
      () => db.session.updateMany({ where: { id: found.id }, data: { expires: new Date(now + maxAge * 1000) } }),
      true,
    );
    if (count === 0) return null;
  }
  return { sessionId: found.id, user: found.user };
}
