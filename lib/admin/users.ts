/** What the admin API shows: the users this app has seen, their IdP `sub`, and their live sessions. */
import "server-only";
import { PROVIDER_ID } from "../auth/provider";
import { db } from "../db";

export async function listUsersWithSessions() {
  const users = await db.user.findMany({
    orderBy: { email: "asc" },
    select: {
      id: true,
      name: true,
      email: true,
      accounts: { where: { provider: PROVIDER_ID }, select: { providerAccountId: true }, take: 1 },
      sessions: { where: { expires: { gt: new Date() } }, select: { expires: true }, orderBy: { expires: "asc" } },
    },
  });
  return users.map(({ accounts, ...user }) => ({
    ...user,
    sub: accounts[0]?.providerAccountId ?? null,
    sessions: user.sessions.map((s) => ({ expires: s.expires.toISOString() })),
  }));
}
