/**
 * Auth.js configuration: the one OpenID Provider this app signs in with, and what a session
 * may carry. Split from ./index.ts (which adds the database adapter) as create-t3-app does.
 */
import "server-only";
import type { NextAuthConfig } from "next-auth";
import { env } from "../env";
import { idp, PROVIDER_ID } from "./provider";
import { saveTokens } from "./tokens";

export const authConfig = {
  providers: [idp],
  secret: env.AUTH_SECRET,
  session: { strategy: "database", maxAge: 8 * 60 * 60, updateAge: 15 * 60 },
  trustHost: true,
  pages: { signIn: "/", error: "/auth/error" },
  callbacks: {
    // Only a profile reaches the browser (useSession, /api/auth/session): never a token.
    session({ session, user }) {
      return { expires: session.expires, user: { id: user.id, name: user.name, email: user.email } } as typeof session;
    },
  },
  events: {
    // Auth.js writes tokens only when it first links an account; every later sign-in
    // would keep the old ones. Store what this sign-in just received.
    async signIn({ account }) {
      if (account?.provider === PROVIDER_ID) await saveTokens(account);
    },
  },
} satisfies NextAuthConfig;
