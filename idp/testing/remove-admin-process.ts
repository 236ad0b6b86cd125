/**
 * Another IdP process, as far as roles go (idp/last-admin.test.ts): opens the database the URL
 * names, says `ready`, waits for a line on stdin, then takes the admin role from one user the
 * way the Management API does, and prints `removed`, `refused` (the last admin) or `error …`.
 *
 *   node --experimental-strip-types idp/testing/remove-admin-process.ts <DATABASE_URL> <user id>
 */
import { createInterface } from "node:readline";
import { createPrismaClient } from "../../prisma/client.ts";
import { LastAdminError, removeRoles } from "../roles.ts";

const [url = "", userId = ""] = process.argv.slice(2);
const db = createPrismaClient(url, { logErrors: false });
const admin = await db.idpRole.findUniqueOrThrow({ where: { name: "admin" }, select: { id: true } });
await db.$queryRaw`SELECT 1`; // connected before the start signal, so both processes start level
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
await new Promise((resolve) => lines.once("line", resolve));
let outcome: string;
try {
  await removeRoles(db, userId, [admin.id]);
  outcome = "removed";
} catch (error) {
  outcome = error instanceof LastAdminError ? "refused" : `error ${String(error)}`;
}
process.stdout.write(`${outcome}\n`);
lines.close();
await db.$disconnect();
