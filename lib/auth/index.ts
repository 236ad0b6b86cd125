/**
 * Auth.js with database sessions: the browser holds one opaque, HttpOnly session cookie;
 * the session (with the IdP session it came from), the user and the user's tokens live in the
 * database.
 */
import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth from "next-auth";
import { db } from "../db";
import { authConfig } from "./config";
import { sidOfThisSignIn } from "./sign-in-sid";

const adapter = PrismaAdapter(db);

export const { auth, handlers, signIn, signOut } = NextAuth({
  ...authConfig,
  adapter: {
    ...adapter,
    // Each session records the IdP session it was created in, for back-channel logout.
    createSession: (session) => db.session.create({ data: { ...session, sid: sidOfThisSignIn() } }),
  },
});
