/**
 * Auth.js configuration: the one OpenID Provider this app signs in with, what a session may
 * carry, and how its cookies and redirects are locked down. The config.ts / index.ts split is
 * create-t3-app's, with one difference: t3's config.ts holds the database adapter too, while
 * here ./index.ts adds it, so that ./config.test.ts can run Auth.js on this very configuration
 * with a stub adapter of its own.
 */
import "server-only";
import type { NextAuthConfig, Session } from "next-auth";
import { env } from "../env";
import { requestLogger } from "../logger";
import { cookieSettings } from "./cookies";
import { authLogger } from "./log-events";
import { idp, PROVIDER_ID } from "./provider";
import { sameOriginRedirect } from "./return-path";
import { rememberSignIn } from "./new-session";

declare module "next-auth" {
  /** What the session callback below returns, and so what auth() and useSession() see: a profile, no token. */
  interface Session {
    user: { id: string; name: string | null; email: string | null };
  }
}

/** Seconds a session lasts, and after how many its expiry slides forward on use (Auth.js's `updateAge`). */
export const SESSION_LIFETIME = { maxAge: 8 * 60 * 60, updateAge: 15 * 60 } as const;

export const authConfig = {
  providers: [idp],
  secret: env.AUTH_SECRET,
  session: { strategy: "database", ...SESSION_LIFETIME },
  trustHost: true,
  // HttpOnly, SameSite=Lax; Secure with a __Host- prefix when APP_URL is https (./cookies.ts).
  ...cookieSettings(env.APP_URL),
  pages: { signIn: "/", error: "/auth/error" },
  logger: authLogger,
  callbacks: {
    // `profile` holds the ID token's validated claims, `account` the token response: its `sid`
    // and its tokens go to the session this sign-in creates (./new-session.ts), and nowhere else.
    signIn({ profile, account }) {
      if (account?.provider === PROVIDER_ID) rememberSignIn(profile?.sid, account);
      return true;
    },
    // Only a profile reaches the browser (useSession, /api/auth/session): never a token.
    session({ session, user }): Session {
      return { expires: session.expires, user: { id: user.id, name: user.name ?? null, email: user.email } };
    },
    // Every callbackUrl and post-sign-in redirect stays on this app: no open redirect.
    redirect: sameOriginRedirect,
  },
  events: {
    async signIn({ user, isNewUser }) {
      (await requestLogger()).info({ event: "sign_in", userId: user.id, isNewUser: Boolean(isNewUser) }, "signed in");
    },
  },
} satisfies NextAuthConfig;
