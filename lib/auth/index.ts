/**
 * Auth.js with database sessions: the browser holds one opaque, HttpOnly session cookie;
 * the session, the user and the user's tokens live in the database.
 */
import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth from "next-auth";
import { db } from "../db";
import { authConfig } from "./config";

export const { auth, handlers, signIn, signOut } = NextAuth({
  ...authConfig,
  adapter: PrismaAdapter(db),
});
