/**
 * The app's database client: one per server process, kept across hot reloads in development
 * (each reload would otherwise open another SQLite handle or PostgreSQL pool).
 */
import "server-only";
import { createPrismaClient, type Database } from "../prisma/client";
import { env } from "./env";

const globalForDb = globalThis as unknown as { claimtripDb?: Database };

export const db: Database = globalForDb.claimtripDb ?? createPrismaClient(env.DATABASE_URL);

if (env.NODE_ENV !== "production") globalForDb.claimtripDb = db;
