/**
 * The IdP's database handle: the project's one Prisma client factory (prisma/client.ts), which
 * picks SQLite or PostgreSQL from the URL. The IdP reads only its own tables (idp_users,
 * idp_oidc_models); the web app never reads them.
 */
import { createPrismaClient, type Database } from "../prisma/client.ts";

export type { Database };

/** Opens the database a `DATABASE_URL` names. */
export function openDatabase(databaseUrl: string): Database {
  return createPrismaClient(databaseUrl);
}
