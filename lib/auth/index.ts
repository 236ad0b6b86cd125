/**
 * Auth.js with database sessions: the browser holds one opaque, HttpOnly session cookie;
 * the session (with the IdP session it came from), the user and the user's tokens live in the
 * database.
 */
import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth from "next-auth";
import type { Adapter } from "next-auth/adapters";
import { db } from "../db";
import { timed } from "../http/server-timing";
import { authConfig } from "./config";
import { sidOfThisSignIn } from "./sign-in-sid";

const adapter = PrismaAdapter(db);

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

export const { auth, handlers, signIn, signOut } = NextAuth({
  ...authConfig,
  adapter: timedAdapter({
    ...adapter,
    // Each session records the IdP session it was created in, for back-channel logout.
    createSession: (session) => db.session.create({ data: { ...session, sid: sidOfThisSignIn() } }),
  }),
});
